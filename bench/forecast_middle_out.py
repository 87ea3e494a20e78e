"""Middle-out at the occupation level: does a second global model on the city-wide occupation totals help?

    nice -n 10 .venv/bin/python bench/forecast_middle_out.py --input var/sim/fc-11/observations.parquet \
        --programmes var/sim/fc-11/programmes.csv --until 2024-10 --out var/fc/mo/middle_out.json \
        --cache var/fc/mo/cache

Validation only (the three cut-offs before ``--until``, as ``forecast_tune``). Per cut-off:

* the bottom model (``store_single``: ``store_lgbm_params()`` with one booster, the programme calendar,
  ``PointOnly``: no calibration booster), h = 1..12, and seasonal naive;
* the occupation frame: y summed per (occupation, month) over its bottom series. Missing months (rows are
  dropped from the observations) would read as dips, so a bottom series that is missing in a month inside
  its observed span (first observation .. cut-off) is filled with its own mean over the 12 months before
  that month (observed values only; causal, so no leakage across the cut-off). A series contributes from its
  first observation on (a late-starting series is a step in its occupation's total, as it is in reality);
* occupation models: ``GlobalLGBMForecaster`` (``PointOnly``) on that frame, one series per occupation,
  L1, windows (3, 6, 12, 24, 36), no group / pool / share / programme features (parameter sets ``OCC``);
* occupation-level comparison (MASE of the occupation totals, scale = the filled occupation panel's
  in-sample seasonal MAE). The actual total of a test month is the sum over the series observed in that
  month; the sum of bottom forecasts is taken over the same series; an occupation model's (full) total is
  multiplied by the observed series' share of the occupation's level (each series' 12-month mean at the
  cut-off), so that all three are compared on the same series;
* middle-out: ``bottom * (target / sum_bottom) ** alpha`` with sum_bottom over all the occupation's bottom
  forecasts, for each occupation target (each parameter set, the average of the parameter sets, and the
  average of the occupation model and the sum of bottom forecasts), scored as ``forecast_tune.score``.

``--cache DIR`` keeps the fitted forecasts per cut-off (re-runs only rescore). Nothing here changes a model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from forecast_tune import PointOnly, config_params, score  # noqa: E402

from models.forecasting.baselines import SeasonalNaive  # noqa: E402
from models.forecasting.frames import DS, ID, month_index, month_start, to_panel  # noqa: E402
from models.forecasting.metrics import mase_scale  # noqa: E402
from models.forecasting.programmes import load_programmes  # noqa: E402
from training.forecasting import store  # noqa: E402
from training.forecasting.backtest import cutoffs_for  # noqa: E402

OCC_BASE = {"objective": "l1", "windows": (3, 6, 12, 24, 36), "num_threads": 1}
OCC: dict[str, dict] = {
    # defaults + L1 + 500 trees
    "occ_a": {**OCC_BASE, "n_estimators": 500},
    # fewer, larger leaves for 383 series; row/feature subsampling as the store model
    "occ_b": {
        **OCC_BASE,
        "n_estimators": 500,
        "num_leaves": 15,
        "min_data_in_leaf": 50,
        "bagging_fraction": 0.5,
        "max_bin": 63,
    },
}
ALPHAS = (0.25, 0.5, 0.75, 1.0)


def filled_panel(train: pd.DataFrame):
    """Bottom panel with gaps inside each series' span filled by its trailing 12-month observed mean."""
    panel = to_panel(train)
    v = panel.values
    n, T = v.shape
    obs = np.isfinite(v)
    first = np.where(obs.any(axis=1), obs.argmax(axis=1), T)
    z = np.where(obs, v, 0.0)
    cs = np.concatenate([np.zeros((n, 1)), np.cumsum(z, axis=1)], axis=1)
    cc = np.concatenate([np.zeros((n, 1)), np.cumsum(obs, axis=1)], axis=1)
    t = np.arange(T)
    lo = np.maximum(t - 12, 0)
    s12 = cs[:, t] - cs[:, lo]  # sum over months [t-12, t)
    c12 = cc[:, t] - cc[:, lo]
    trailing = np.divide(s12, c12, out=np.full_like(s12, np.nan), where=c12 > 0)
    # a series missing 12+ months in a row: the mean of everything it showed before
    all_before = np.divide(cs[:, t], cc[:, t], out=np.full_like(s12, np.nan), where=cc[:, t] > 0)
    fill = np.where(np.isfinite(trailing), trailing, all_before)
    inside = t[None, :] >= first[:, None]
    out = np.where(obs, v, np.where(inside, fill, np.nan))
    out = np.where(inside, np.nan_to_num(out, nan=0.0), np.nan)
    n_filled = int((inside & ~obs).sum())
    return panel, out, n_filled


def occupation_frame(train: pd.DataFrame):
    """Long frame of filled occupation totals, the series→occupation map and each series' level weight."""
    panel, v, n_filled = filled_panel(train)
    occ_of = train.groupby(ID)["occupation"].first().reindex(panel.ids).to_numpy()
    totals = pd.DataFrame(np.nan_to_num(v, nan=0.0)).groupby(occ_of).sum()
    months = month_start(panel.start + np.arange(v.shape[1]))
    long = totals.stack().rename("y").reset_index()
    long.columns = [ID, "t", "y"]
    long[DS] = months[long["t"].to_numpy()]
    # drop leading months before an occupation's first series
    started = pd.DataFrame(np.isfinite(v)).groupby(occ_of).any().stack().to_numpy()
    long = long[started][[ID, DS, "y"]].reset_index(drop=True)
    last12 = v[:, -12:]
    weight = pd.Series(
        np.nan_to_num(np.nanmean(np.where(np.isfinite(last12), last12, np.nan), axis=1)), index=panel.ids
    )
    return long, pd.Series(occ_of, index=panel.ids), weight, n_filled


def fit_cutoff(df, cutoff, H, programmes, cache: Path | None):
    """Bottom, seasonal naive and occupation forecasts of one cut-off (from the cache when present)."""
    tag = f"{cutoff:%Y-%m}"
    paths = {k: cache / f"{k}.{tag}.parquet" for k in ("bottom", "sn", *OCC)} if cache else {}
    train = df[df[DS] <= cutoff]
    occ_long, occ_of, weight, n_filled = occupation_frame(train)
    seconds = {}
    out = {}
    if cache and all(p.exists() for p in paths.values()):
        out = {k: pd.read_parquet(p) for k, p in paths.items()}
        return train, occ_long, occ_of, weight, n_filled, out, seconds
    params = {**config_params("store_single"), "programmes": programmes, "num_threads": 1}
    t0 = time.perf_counter()
    out["bottom"] = PointOnly(horizon=H, **params).fit(train).predict(H)[[ID, DS, "mean"]]
    seconds["bottom"] = round(time.perf_counter() - t0, 1)
    out["sn"] = SeasonalNaive(horizon=H).fit(train[[ID, DS, "y"]]).predict(H)[[ID, DS, "mean"]]
    for name, p in OCC.items():
        t0 = time.perf_counter()
        out[name] = PointOnly(horizon=H, **p).fit(occ_long).predict(H)[[ID, DS, "mean"]]
        seconds[name] = round(time.perf_counter() - t0, 1)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        for k, p in paths.items():
            out[k].to_parquet(p, index=False)
    return train, occ_long, occ_of, weight, n_filled, out, seconds


def summary(f: pd.DataFrame, H: int) -> dict:
    by_h = f.groupby("h")["ase"].mean()
    return {
        "h1": round(float(by_h[1]), 4),
        "h6": round(float(by_h[min(6, H)]), 4),
        "h12": round(float(by_h[min(12, H)]), 4),
        "all": round(float(f["ase"].mean()), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--until", default="2024-10")
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--programmes", default="")
    ap.add_argument("--target", default="postings")
    ap.add_argument("--cache", default="")
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    from talentcluster.commands.common import settings

    t_start = time.perf_counter()
    raw = pd.read_parquet(args.input)
    df = store.store_to_long(raw, settings().reference_dir, args.target)
    df = df[df[DS] <= pd.Timestamp(f"{args.until}-01")]
    programmes = load_programmes(args.programmes) if args.programmes else ()
    H = args.horizon
    cutoffs = cutoffs_for(df, H, 3, None)
    cache = Path(args.cache) if args.cache else None

    bottom_rows: dict[str, list] = {}
    occ_rows: dict[str, list] = {}
    info = {"cutoffs": [f"{c:%Y-%m}" for c in cutoffs], "fit_seconds": {}, "filled_cells": {}}
    for cutoff in cutoffs:
        train, occ_long, occ_of, weight, n_filled, fc, seconds = fit_cutoff(df, cutoff, H, programmes, cache)
        tag = f"{cutoff:%Y-%m}"
        info["fit_seconds"][tag] = seconds
        info["filled_cells"][tag] = n_filled
        last = cutoff + pd.DateOffset(months=H)
        test = df[(df[DS] > cutoff) & (df[DS] <= last) & df[ID].isin(occ_of.index)]
        ids = np.asarray(sorted(train[ID].unique()), dtype=object)
        scale = pd.Series(mase_scale(to_panel(train, ids=ids).values), index=ids)

        # --- bottom forecasts and middle-out variants ---------------------------------------------
        b = fc["bottom"].copy()
        b["occ"] = b[ID].map(occ_of)
        sum_b = b.groupby(["occ", DS])["mean"].sum().rename("sum_bottom")
        targets = {k: fc[k].set_index([ID, DS])["mean"].rename_axis(["occ", DS]) for k in OCC}
        targets["occ_ab"] = (targets["occ_a"] + targets["occ_b"]) / 2
        for k in ("occ_a", "occ_b", "occ_ab"):
            targets[f"{k}+bottom"] = (targets[k] + sum_b) / 2
        variants = {"bottom": b[[ID, DS, "mean"]], "seasonal_naive": fc["sn"]}
        key = pd.MultiIndex.from_arrays([b["occ"], b[DS]])
        sb = sum_b.reindex(key).to_numpy()
        for k, tgt in targets.items():
            ratio = np.where(sb > 0, tgt.reindex(key).to_numpy() / np.maximum(sb, 1e-9), 1.0)
            ratio = np.clip(np.nan_to_num(ratio, nan=1.0), 0.0, None)
            for a in ALPHAS:
                variants[f"mo[{k}]^{a}"] = b[[ID, DS]].assign(mean=b["mean"].to_numpy() * ratio**a)
        for name, v in variants.items():
            bottom_rows.setdefault(name, []).append(score(v, test, scale, cutoff))

        # --- occupation level, on the series observed in each test month ---------------------------
        t = test[[ID, DS, "y"]].copy()
        t["occ"] = t[ID].map(occ_of)
        t["w"] = t[ID].map(weight)
        t = t.merge(b[[ID, DS, "mean"]], on=[ID, DS], how="left")
        # the filled occupation panel's own MASE scale
        occ_panel = to_panel(occ_long)
        occ_scale = pd.Series(mase_scale(occ_panel.values), index=occ_panel.ids)
        w_all = weight.groupby(occ_of).sum()
        g = t.groupby(["occ", DS]).agg(y=("y", "sum"), sum_bottom=("mean", "sum"), w=("w", "sum"))
        share = (g["w"] / g.index.get_level_values("occ").map(w_all).to_numpy()).clip(upper=1.0)
        share = share.where(np.isfinite(share), 1.0)
        g["share"] = share
        h = month_index(g.index.get_level_values(DS)) - month_index(pd.Series([cutoff]))[0]
        sc = g.index.get_level_values("occ").map(occ_scale).to_numpy()
        occ_fc = {"sum_bottom": g["sum_bottom"].to_numpy()}
        for k, tgt in targets.items():
            if k.endswith("+bottom"):
                continue
            occ_fc[k] = tgt.reindex(g.index).to_numpy() * g["share"].to_numpy()
        for k in ("occ_a", "occ_b", "occ_ab"):
            occ_fc[f"avg({k},sum_bottom)"] = (occ_fc[k] + occ_fc["sum_bottom"]) / 2
        sn_occ = fc["sn"].merge(t[[ID, DS]], on=[ID, DS])
        sn_occ["occ"] = sn_occ[ID].map(occ_of)
        occ_fc["seasonal_naive(sum)"] = (
            sn_occ.groupby(["occ", DS])["mean"].sum().reindex(g.index).fillna(0).to_numpy()
        )
        for k, yhat in occ_fc.items():
            occ_rows.setdefault(k, []).append(
                pd.DataFrame({"h": h, "ase": np.abs(g["y"].to_numpy() - yhat) / sc, "cutoff": cutoff})
            )
        print(tag, "fit s", json.dumps(seconds), "filled cells", n_filled, flush=True)

    results = {"bottom": {}, "occupation": {}, **info}
    for name, rows in bottom_rows.items():
        results["bottom"][name] = summary(pd.concat(rows, ignore_index=True), H)
    for name, rows in occ_rows.items():
        results["occupation"][name] = summary(pd.concat(rows, ignore_index=True), H)
    per_cut = {}
    for name in ("bottom", "seasonal_naive"):
        f = pd.concat(bottom_rows[name], ignore_index=True)
        per_cut[name] = {
            f"{c:%Y-%m}": round(float(x[x["h"] == H]["ase"].mean()), 4) for c, x in f.groupby("cutoff")
        }
    best = min(
        (k for k in results["bottom"] if k.startswith("mo[")), key=lambda k: results["bottom"][k]["h12"]
    )
    f = pd.concat(bottom_rows[best], ignore_index=True)
    per_cut[best] = {
        f"{c:%Y-%m}": round(float(x[x["h"] == H]["ase"].mean()), 4) for c, x in f.groupby("cutoff")
    }
    results["h12_per_cutoff"] = per_cut
    results["wall_seconds"] = round(time.perf_counter() - t_start, 1)

    print("\noccupation totals (MASE, occupation scale)")
    for k, v in results["occupation"].items():
        print(f"  {k:28s} {json.dumps(v)}")
    print("\nbottom series (MASE, backtest scale)")
    for k, v in results["bottom"].items():
        print(f"  {k:28s} {json.dumps(v)}")
    print("\nh12 per cut-off", json.dumps(per_cut))
    print("wall s", results["wall_seconds"])
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
