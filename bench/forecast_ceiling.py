"""How good could a forecast of the simulated market be? Oracles against a backtest's forecasts.

    .venv/bin/python bench/forecast_ceiling.py --sim var/sim/fc-11 --forecasts var/fc/forecasts-h12.parquet \
        --out var/fc/ceiling.json

The simulator is re-run from its manifest (seed, window) to recover each occupation's latent demand:
an AR(1) at 0.96 a month plus hot/cold episodes. At every origin of the forecasts file and horizon, the
bottom-level MASE (the backtest's scale) of:
* ``perfect``: the hidden expected path itself (knows the future: the floor set by sampling noise);
* ``structural``: the expected path with the occupation term replaced by its expectation at the origin —
  AR state × 0.96^h plus the episodes already begun, with their true lengths (knows every structural
  parameter, but no shock after the origin: what a model that learnt the simulator perfectly could reach);
* ``decay_to_mean``: the same, without episode knowledge: the occupation term decays at 0.96^h toward its
  own 120-month mean;
* the model's, and the model's with its occupation totals (and industry, zone totals) replaced by the
  structural oracle's — where the remaining error is.
Evaluation only: it reads the hidden truth, so nothing in it may steer a choice of the model.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models.forecasting.frames import month_index  # noqa: E402
from models.settings import Settings  # noqa: E402
from models.taxonomy import Taxonomy  # noqa: E402
from training.simulate import market  # noqa: E402
from training.simulate.calendar import parse_month  # noqa: E402
from training.simulate.core import _rng  # noqa: E402
from training.simulate.output import SimulationManifest  # noqa: E402
from training.simulate.world import draw_world  # noqa: E402


def latent_market(sim: Path):
    """The world, expected demand [series × month] and the occupation term split into AR and episodes."""
    manifest = SimulationManifest.load(sim / "manifest.json")
    first, last, end = (parse_month(m) for m in (manifest.start, manifest.cutoff, manifest.truth_end))
    rng = _rng(manifest.seed, 1)
    world = draw_world(Taxonomy.load(Settings().reference_dir), rng, start=first, end=end, cutoff=last)
    captured = {}
    original = market._occupation_log_demand

    def capture(w, r):
        captured["occupation"] = original(w, r)
        return captured["occupation"]

    market._occupation_log_demand = capture
    try:
        paths = market.expected_paths(world, rng)  # the same draws, in the same order, as the simulation
    finally:
        market._occupation_log_demand = original
    occupation = captured["occupation"]
    episodes = np.zeros_like(occupation)
    for o, start, length, lift in world.episodes:
        k = world.months - start
        episodes[o] += lift * np.clip(np.minimum((k + 1) / 6, (length - k) / 6), 0, 1)
    return world, paths["demand"], occupation, occupation - episodes


def _ase(frame: pd.DataFrame, forecast) -> float:
    """Mean absolute scaled error of ``forecast`` against the frame's actuals (the backtest's scale)."""
    return float(
        (np.abs(frame["y"].to_numpy() - np.asarray(forecast)) / frame["mase_scale"].to_numpy()).mean()
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument(
        "--sim", required=True, help="A `data simulate` output directory (manifest.json, truth/)."
    )
    ap.add_argument("--forecasts", required=True, help="`forecast backtest --forecasts` Parquet.")
    ap.add_argument("--model", default="lgbm_global")
    ap.add_argument("--horizons", type=int, nargs="+", default=[12])
    ap.add_argument("--out", default="")
    args = ap.parse_args()

    world, demand, occupation, ar = latent_market(Path(args.sim))
    truth = pd.read_parquet(Path(args.sim) / "truth" / "observations.parquet")
    sid = truth["zone_code"] + "|" + truth["segment_code"] + "|" + truth["occupation_code"]
    row_of = {s: k for k, s in enumerate(pd.unique(sid))}  # truth rows follow the world's series order
    first = int(month_index(pd.DatetimeIndex([truth["month"].min() + "-01"]))[0])
    fc = pd.read_parquet(args.forecasts)
    fc = fc[
        (fc["level"] == "bottom") & fc["model"].isin([args.model, "seasonal_naive"]) & np.isfinite(fc["y"])
    ]
    fc = fc.assign(row=fc["unique_id"].map(row_of), t=month_index(fc["ds"]) - first)
    burn = world.first_month
    results = {}
    for (cutoff, h), g in fc[fc["h"].isin(args.horizons)].groupby(["cutoff", "h"]):
        o = int(g["t"].iloc[0]) - h + burn  # origin, in world months (burn-in included)
        begun = np.zeros(occupation.shape[0])
        for episode_occ, start, length, lift in world.episodes:
            if start <= world.months[o]:
                k = world.months[o + h] - start
                begun[episode_occ] += lift * np.clip(min((k + 1) / 6, (length - k) / 6), 0, 1)
        expected_term = {
            "structural": 0.96**h * ar[:, o] + begun,
            "decay_to_mean": 0.96**h * occupation[:, o]
            + (1 - 0.96**h) * occupation[:, o - 120 : o].mean(axis=1),
        }
        m = g[g["model"] == args.model].copy()
        rows, occ = m["row"].to_numpy(int), world.series_occupation[m["row"].to_numpy(int)]
        mu = demand[rows, o + h - burn]
        sn = g[g["model"] == "seasonal_naive"]
        out = {
            "seasonal_naive": _ase(sn, sn["mean"]),
            args.model: _ase(m, m["mean"]),
            "perfect": _ase(m, mu),
        }
        oracle = {}
        for name, term in expected_term.items():
            oracle[name] = mu * np.exp(term[occ] - occupation[occ, o + h])
            out[name] = _ase(m, oracle[name])
        m["oracle"] = oracle["structural"]
        for level, codes in (
            ("occupation", occ),
            ("industry", world.series_industry[rows]),
            ("zone", world.series_zone[rows]),
        ):
            by = m.groupby(codes)
            fix = by["oracle"].transform("sum") / by["mean"].transform("sum").clip(lower=1e-9)
            out[f"{args.model}_with_structural_{level}_totals"] = _ase(m, m["mean"] * fix)
        results[f"{pd.Timestamp(cutoff):%Y-%m}@h{h}"] = {k: round(v, 4) for k, v in out.items()}
        print(
            f"{pd.Timestamp(cutoff):%Y-%m} h={h}", json.dumps(results[f"{pd.Timestamp(cutoff):%Y-%m}@h{h}"])
        )
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
