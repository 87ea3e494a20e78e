"""Validation of the global model's options on the store's series, point accuracy only (MASE per horizon).

    nice -n 15 .venv/bin/python bench/forecast_tune.py --input var/sim/fc-11/observations.parquet \
        --until 2024-10 --config base --config pooled --out var/fc/tune.json

Cut-offs: the three before ``--until`` (2022-10, 2023-04, 2023-10 for 2024-10), as the backtest chooses
them; the reported test cut-offs are never touched. Configurations are named overrides of round 3's
model (``store_lgbm_params()`` without round 4's additions, ``ROUND3``; ``store*``: the current parameters)
(``CONFIGS``). The conformal calibration booster is skipped (it does not touch the point forecast, only
the intervals), so one configuration costs one booster (``n_boosters`` for a bag) per cut-off.

Intervals of the aggregate levels, without refitting per scheme:

    ... --config store_single --calibration-dump var/fc/tune4/cal
    ... --config store_single --schemes var/fc/tune4/cal
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

from models.forecasting.baselines import SeasonalNaive  # noqa: E402
from models.forecasting.frames import DS, ID, month_index, to_panel  # noqa: E402
from models.forecasting.lgbm import GlobalLGBMForecaster  # noqa: E402
from models.forecasting.metrics import mase_scale  # noqa: E402
from models.forecasting.programmes import load_programmes  # noqa: E402
from training.forecasting import store  # noqa: E402
from training.forecasting.backtest import (  # noqa: E402
    BEIJING_DISRUPTIONS,
    cutoffs_for,
    store_lgbm_params,
)

POOL = {"pool_by": ("segment", "occupation")}
# Round 4 compared its options against round 3's model: the store parameters without what round 4 added.
ROUND3 = {"share_group": "", "n_boosters": 1}
SHARE2 = {"share_group": "occupation", "share_changes": (3, 6, 12, 24), "share_previous": (6, 12, 18)}
CONFIGS: dict[str, dict] = {
    "store": {},  # store_lgbm_params() as they are now
    "store_single": {"n_boosters": 1},
    "base": {},
    "pooled": POOL,
    "pooled_tweedie": {**POOL, "objective": "tweedie"},
    "pooled_l2": {**POOL, "objective": "l2"},
    "pooled_800k": {**POOL, "max_train_rows": 800_000},
    "pooled_lr03_600": {**POOL, "learning_rate": 0.03, "n_estimators": 600},
    "pooled_leaves63": {**POOL, "num_leaves": 63},
    "pooled_200k": {**POOL, "max_train_rows": 200_000},
    "pooled_cycle": {**POOL, "group_cycle": ("occupation", "industry")},
    "cycle": {"group_cycle": ("occupation", "industry")},
    "pc_800k": {**POOL, "group_cycle": ("occupation", "industry"), "max_train_rows": 800_000},
    "pc_leaves63": {
        **POOL,
        "group_cycle": ("occupation", "industry"),
        "num_leaves": 63,
        "min_data_in_leaf": 100,
    },
    "pooled_cycle_industry": {**POOL, "group_cycle": ("industry",)},
    **{f"pc_seed{k}": {"seed": k} for k in range(1, 6)},
    "pc_dev60": {"cycle_windows": (36, 60)},
    "pc_dev_long": {"cycle_windows": (36, 60, 120)},
    "pc_prev12": {"cycle_previous": (6, 12)},
    "pc_prev12_18": {"cycle_previous": (6, 12, 18)},
    "pc_segment_cycle": {"group_cycle": ("occupation", "industry", "segment")},
    "pc_mdl100": {"min_data_in_leaf": 100},
    "pc_cw4": {"calibration_windows": 4},
    "pc_share": {"share_group": "occupation", "share_changes": (12,), "share_previous": (6, 12)},
    "pc_share_prev12": {"share_group": "occupation", "cycle_previous": (6, 12)},
    "pc_share2": SHARE2,
    "pc_share_cell_segment": {
        **SHARE2,
        "share_changes": (12,),
        "share_previous": (6, 12),
        "share_context": ("segment",),
    },
    "pc_share3": {
        **SHARE2,
        "share_windows": (12, 36, 60, 120),
        "share_previous": (6, 12, 18, 24),
    },
    "pc_share2_leaves63": {**SHARE2, "num_leaves": 63, "min_data_in_leaf": 100},
    "pc_share2_500": {**SHARE2, "n_estimators": 500},
    **{f"pc_share2_seed{k}": {**SHARE2, "seed": k} for k in (1, 2)},
    "pc_share2_bag3": {**SHARE2, "n_boosters": 3},
    "pc_share2_levels": {**SHARE2, "share_levels": True},
    "pc_share2_800k": {**SHARE2, "max_train_rows": 800_000},
    "pc_share2_prev": {**SHARE2, "cycle_previous": (6, 12, 18)},
    "pc_share2_500_bag3": {**SHARE2, "n_estimators": 500, "n_boosters": 3},
    "pc_share_w24": {
        **SHARE2,
        "share_changes": (12,),
        "share_previous": (6, 12),
        "share_windows": (24, 36, 60, 120),
    },
    "pc_disruptions": {
        **POOL,
        "group_cycle": ("occupation", "industry"),
        "disruption_months": BEIJING_DISRUPTIONS,
    },
}


def config_params(name: str) -> dict:
    """The forecaster's parameters for a named configuration (round 3's model underneath, but ``store*``)."""
    return {**store_lgbm_params(), **({} if name.startswith("store") else ROUND3), **CONFIGS[name]}


class PointOnly(GlobalLGBMForecaster):
    """The forecaster without its calibration booster: the final booster and point forecasts only."""

    def _train(self, ctx, *, max_t, rng, n_boosters=1):
        if max_t < ctx[1].values.shape[1] - 1:
            return None
        return super()._train(ctx, max_t=max_t, rng=rng, n_boosters=n_boosters)

    def _calibrate(self, booster, ctx, cut, rng, *, until=None, share=1.0):
        H = self.horizon
        return pd.DataFrame({"h": np.arange(1, H + 1), "y": 1.0, "yhat": 1.0, "scale": 1.0})


def score(fc: pd.DataFrame, test: pd.DataFrame, scale: pd.Series, cutoff) -> pd.DataFrame:
    f = fc.merge(test[[ID, DS, "y"]], on=[ID, DS], how="inner")
    f["h"] = month_index(f[DS]) - month_index(pd.Series([cutoff]))[0]
    f["ase"] = (f["y"] - f["mean"]).abs() / f[ID].map(scale)
    f["cutoff"] = cutoff
    return f[[ID, DS, "cutoff", "h", "y", "mean", "ase"]]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--input", required=True)
    ap.add_argument("--until", default="2024-10")
    ap.add_argument("--horizon", type=int, default=12)
    ap.add_argument("--config", action="append", default=[], choices=sorted(CONFIGS))
    ap.add_argument("--target", default="postings")
    ap.add_argument("--programmes", default="", help="Programme calendar: every configuration reads it.")
    ap.add_argument("--out", default="")
    ap.add_argument("--dump", default="", help="Also write the scored forecasts (PATH.<config>.parquet).")
    ap.add_argument(
        "--intervals", action="store_true", help="Full fits with the hierarchy: coverage per level instead."
    )
    ap.add_argument(
        "--calibration-dump",
        default="",
        help="Full fits; write each cut-off's calibration frame, origin scales and scored bottom forecasts "
        "to PATH.<config>.{calibration,scale,forecast}.parquet, so that interval schemes of the aggregate "
        "levels compare without refitting (--schemes).",
    )
    ap.add_argument(
        "--schemes",
        default="",
        help="Read the --calibration-dump files of each --config and print the aggregate levels' coverage "
        "for each centring weight (0: per horizon, 1: per origin and horizon).",
    )
    ap.add_argument(
        "--scheme",
        action="append",
        default=[],
        help="With --schemes: a centring scheme to score instead of WEIGHTS: W (one weight), lin:W1:W12 "
        "(linear in h from W1 at h = 1 to W12 at h = 12, held beyond) or log:W1:W12 (linear in log h).",
    )
    ap.add_argument("--scheme-grid", default="", help="With --schemes: also every lin:A:B, A != B in A,B,...")
    ap.add_argument("--by-horizon", action="store_true", help="With --schemes: print coverage per horizon.")
    ap.add_argument(
        "--no-skew",
        action="store_true",
        help="With --schemes: centre the aggregate intervals on the bottom-up sum (before round 6), not "
        "moved up by the skew of a sum of medians (reconcile.sum_skew).",
    )
    args = ap.parse_args()
    from talentcluster.commands.common import settings

    raw = pd.read_parquet(args.input)
    df = store.store_to_long(raw, settings().reference_dir, args.target)
    df = df[df[DS] <= pd.Timestamp(f"{args.until}-01")]
    programmes = load_programmes(args.programmes) if args.programmes else ()
    cutoffs = cutoffs_for(df, args.horizon, 3, None)
    H = args.horizon
    if args.intervals:
        return intervals(df, H, args)
    if args.calibration_dump:
        return calibration_dump(df, cutoffs, H, args)
    if args.schemes:
        return schemes(df, H, args)
    results = {}
    for name in args.config or ["base"]:
        params = {**config_params(name), "programmes": programmes}
        rows, seconds = [], 0.0
        for cutoff in cutoffs:
            train, test = df[df[DS] <= cutoff], df[df[DS] > cutoff]
            ids = np.asarray(sorted(train[ID].unique()), dtype=object)
            scale = pd.Series(mase_scale(to_panel(train, ids=ids).values), index=ids)
            t0 = time.perf_counter()
            fc = PointOnly(horizon=H, **params).fit(train).predict(H)
            seconds += time.perf_counter() - t0
            rows.append(score(fc, test, scale, cutoff).assign(model=name))
            if "seasonal_naive" not in results:
                sn = SeasonalNaive(horizon=H).fit(train[[ID, DS, "y"]]).predict(H)
                rows.append(score(sn, test, scale, cutoff).assign(model="seasonal_naive"))
        f = pd.concat(rows, ignore_index=True)
        if args.dump:
            f.to_parquet(Path(args.dump).with_suffix(f".{name}.parquet"), index=False)
        for model, g in f.groupby("model"):
            by_h = g.groupby("h")["ase"].mean()
            results[model] = {
                "mase": float(g["ase"].mean()),
                "h1": float(by_h[1]),
                "h6": float(by_h[min(6, H)]),
                "h12": float(by_h[min(12, H)]),
                **({"fit_seconds": round(seconds, 1)} if model == name else {}),
            }
            print(model, json.dumps(results[model]), flush=True)
    if args.out:
        out = Path(args.out)
        old = json.loads(out.read_text()) if out.exists() else {}
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({**old, **results, "cutoffs": [f"{c:%Y-%m}" for c in cutoffs]}, indent=2))


def calibration_dump(df: pd.DataFrame, cutoffs, H: int, args) -> None:
    """Per cut-off: the full forecaster's calibration frame, origin scales and scored bottom forecasts."""
    for name in args.config or ["base"]:
        params = config_params(name)
        cal, scales, fcs, t0 = [], [], [], time.perf_counter()
        for cutoff in cutoffs:
            train, test = df[df[DS] <= cutoff], df[df[DS] > cutoff]
            model = GlobalLGBMForecaster(horizon=H, **params).fit(train[[ID, DS, "y", *store.HIERARCHY]])
            fc = model.predict(H).merge(test[[ID, DS, "y"]], on=[ID, DS], how="inner")
            fc["h"] = month_index(fc[DS]) - month_index(pd.Series([cutoff]))[0]
            cal.append(model.calibration_.assign(cutoff=cutoff))
            scales.append(model.origin_scale().reset_index().assign(cutoff=cutoff))
            fcs.append(fc.assign(cutoff=cutoff))
        seconds = round(time.perf_counter() - t0, 1)
        stem = Path(args.calibration_dump)
        for part, frames in (("calibration", cal), ("scale", scales), ("forecast", fcs)):
            pd.concat(frames, ignore_index=True).to_parquet(stem.with_suffix(f".{name}.{part}.parquet"))
        print(name, json.dumps({"seconds": seconds}), flush=True)


WEIGHTS = (0.0, 0.25, 0.4, 0.5, 0.55, 0.6, 0.65, 0.75, 1.0)
AGGREGATES = ("segment", "industry", "cluster", "zone", "total")


def scheme_weights(spec: str, H: int) -> np.ndarray:
    """The centring weight at h = 1..H of a scheme: ``0.6`` (one weight), ``lin:W1:W12`` (linear in h from
    W1 at h = 1 to W12 at h = 12, held beyond) or ``log:W1:W12`` (linear in log h)."""
    kind, *ws = spec.split(":") if ":" in spec else ("const", spec)
    h = np.minimum(np.arange(1, H + 1, dtype=float), 12)
    if kind == "const":
        return np.full(H, float(ws[0]))
    w1, w12 = (float(v) for v in ws)
    x = {"lin": (h - 1) / 11, "log": np.log(h) / np.log(12)}[kind]
    return w1 + (w12 - w1) * x


def _scheme_quantiles(scores, w: np.ndarray, H: int, centred_scores, horizon_quantiles) -> dict:
    """Per level the conformal quantiles with weight ``w[h-1]`` at horizon h (one call per horizon, so
    that any centring function with a scalar weight serves)."""
    q = {}
    for lv, (score, h, o) in scores:
        c = np.empty_like(score)
        for k in np.unique(h):
            m = h == k
            c[m] = centred_scores(score[m], h[m], o[m], float(w[k - 1]))
        q[lv] = horizon_quantiles(c, h, H)
    return q


def _scheme_summary(g: pd.DataFrame) -> dict:
    """Coverage per level (and per aggregate level and horizon) and what the choice looks at: the largest
    |coverage − nominal| over the aggregate levels, the mean one over (level, horizon), and the aggregate
    levels' mean coverage at h = 1, h = 1–4, h = 9–12 and h = 12."""
    out: dict = {}
    agg = g[g["level"].isin(AGGREGATES)]
    for lv in (80, 95):
        out[f"all_{lv}"] = g.groupby("level")[f"in{lv}"].mean().round(3).to_dict()
        by_h = agg.groupby(["level", "h"])[f"in{lv}"].mean().unstack("h")
        out[f"by_h_{lv}"] = {L: [round(float(v), 3) for v in r] for L, r in by_h.iterrows()}
        dev = by_h - lv / 100
        out[f"dev_{lv}"] = {
            "max_level": round(float((agg.groupby("level")[f"in{lv}"].mean() - lv / 100).abs().max()), 3),
            "mean_level_h": round(float(dev.abs().to_numpy().mean()), 3),
            "h1": round(float(by_h.iloc[:, 0].mean()), 3),
            "h1_4": round(float(by_h.iloc[:, :4].to_numpy().mean()), 3),
            "h9_12": round(float(by_h.iloc[:, 8:12].to_numpy().mean()), 3),
            "h12": round(float(by_h.iloc[:, min(11, by_h.shape[1] - 1)].mean()), 3),
        }
    return out


def schemes(df: pd.DataFrame, H: int, args) -> None:
    """Coverage per level and horizon of the aggregate intervals under centring schemes, from saved fits.

    The weight blends the two centres of the aggregated calibration scores: 0 is the median per horizon
    (shared bias of the calibration booster removed), 1 the median per (origin, horizon) (each origin's
    shared shock removed too). A scheme is one weight (``WEIGHTS``) or a weight per horizon
    (``--scheme lin:W1:W12``, ``--scheme-grid``: linear schemes over a grid of W1 × WH). Scored on all
    target months and on ordinary ones (no known disruption); ``--by-horizon`` prints the aggregate
    levels' coverage at every horizon.
    """
    from models.forecasting.conformal import horizon_quantiles
    from models.forecasting.reconcile import (
        Hierarchy,
        _aggregate_scores,
        aggregate,
        aggregate_bounds,
        centred_scores,
        sum_skew,
    )

    membership = Hierarchy.from_columns(list(store.HIERARCHY), total=True).membership(df)
    membership = membership[membership["level"] != "occupation"]  # 383 nodes: not what the scheme is for
    shocks = pd.to_datetime([f"{m}-01" for m in BEIJING_DISRUPTIONS])
    specs = list(args.scheme) or [str(w) for w in WEIGHTS]
    if args.scheme_grid:
        grid = [float(v) for v in args.scheme_grid.split(",")]
        specs += [f"lin:{a}:{b}" for a in grid for b in grid if a != b]
    stem, results = Path(args.schemes), {}
    for name in args.config or ["base"]:
        cal, sc, fc = (
            pd.read_parquet(stem.with_suffix(f".{name}.{part}.parquet"))
            for part in ("calibration", "scale", "forecast")
        )
        # What does not depend on the scheme, once per cut-off: the aggregated scores and forecasts.
        cuts = []
        for cutoff, c in cal.groupby("cutoff"):
            scores = list(_aggregate_scores(c, membership))
            f = fc[fc["cutoff"] == cutoff]
            up = aggregate(f[[ID, DS, "mean", "y"]], membership, ["mean", "y"])
            s = sc[sc["cutoff"] == cutoff][[ID, "scale"]].merge(membership, on=ID)
            node_scale = s.groupby(["level", "node"])["scale"].sum()
            up["scale"] = node_scale.reindex(pd.MultiIndex.from_arrays([up["level"], up[ID]])).to_numpy()
            up["h"] = month_index(up[DS]) - month_index(pd.Series([cutoff]))[0]
            skew = np.zeros(H) if args.no_skew else sum_skew(c, H)
            up["shift"] = skew[np.minimum(up["h"].to_numpy(), H) - 1] * up["scale"].to_numpy()
            cuts.append((cutoff, scores, up))
        for spec in specs:
            w = scheme_weights(spec, H)
            parts = []
            for cutoff, scores, up in cuts:
                q = _scheme_quantiles(scores, w, H, centred_scores, horizon_quantiles)
                up = up.copy()
                for lv in (80, 95):
                    qq = np.stack([q[L][lv][k - 1] for L, k in zip(up["level"], up["h"], strict=True)])
                    half = qq * up["scale"].to_numpy()
                    lo, hi = aggregate_bounds(up["mean"].to_numpy(), half, up["shift"].to_numpy(), True)
                    up[f"in{lv}"] = (up["y"] >= lo) & (up["y"] <= hi)
                parts.append(up.assign(cutoff=cutoff))
            g = pd.concat(parts, ignore_index=True)
            g = g[np.isfinite(g["y"])]
            out = _scheme_summary(g)
            out["weights"] = [round(float(v), 3) for v in w]
            out["ordinary"] = {
                k: v for k, v in _scheme_summary(g[~g[DS].isin(shocks)]).items() if k.startswith("all_")
            }
            out["per_cutoff_80"] = {
                f"{c:%Y-%m}": gg.groupby("level")["in80"].mean().round(2).to_dict()
                for c, gg in g.groupby("cutoff")
            }
            results[f"{name}@{spec}"] = out
            short = {lv: "/".join(f"{out[f'all_{lv}'][L]:.2f}" for L in AGGREGATES) for lv in (80, 95)}
            print(
                name,
                spec,
                json.dumps({**short, "dev80": out["dev_80"], "dev95": out["dev_95"]}),
                flush=True,
            )
            if args.by_horizon:
                for lv in (80, 95):
                    for L in AGGREGATES:
                        print(f"  {lv} {L:9s}", " ".join(f"{v:.2f}" for v in out[f"by_h_{lv}"][L]))
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))


def intervals(df: pd.DataFrame, H: int, args) -> None:
    """80/95% coverage per level on the validation cut-offs: all target months and ordinary ones only."""
    from models.forecasting.reconcile import Hierarchy
    from training.forecasting.backtest import backtest

    hierarchy = Hierarchy.from_columns(list(store.HIERARCHY), total=False)
    shocks = pd.to_datetime([f"{m}-01" for m in BEIJING_DISRUPTIONS])
    results = {}
    for name in args.config or ["base"]:
        params = config_params(name)
        t0 = time.perf_counter()
        frame = df[[ID, DS, "y", *store.HIERARCHY]]
        fc = backtest(frame, H, models=[GlobalLGBMForecaster(horizon=H, **params)], hierarchy=hierarchy)
        f = fc.forecasts[np.isfinite(fc.forecasts["y"])]
        out = {"seconds": round(time.perf_counter() - t0, 1)}
        for label, g in (("all", f), ("ordinary", f[~f[DS].isin(shocks)])):
            for lv in (80, 95):
                inside = (g["y"] >= g[f"lo{lv}"]) & (g["y"] <= g[f"hi{lv}"])
                out[f"{label}_{lv}"] = inside.groupby(g["level"]).mean().round(3).to_dict()
        bottom = f[f["level"] == "bottom"]
        out["mase_h12"] = float(
            ((bottom["y"] - bottom["mean"]).abs() / bottom["mase_scale"])[bottom["h"] == 12].mean()
        )
        results[name] = out
        print(name, json.dumps(out), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
