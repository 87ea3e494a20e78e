"""Validation of the global model's options on the store's series, point accuracy only (MASE per horizon).

    nice -n 15 .venv/bin/python bench/forecast_tune.py --input var/sim/fc-11/observations.parquet \
        --until 2024-10 --config base --config pooled --out var/fc/tune.json

Cut-offs: the three before ``--until`` (2022-10, 2023-04, 2023-10 for 2024-10), as the backtest chooses
them; the reported test cut-offs are never touched. Configurations are named overrides of
``store_lgbm_params()`` (``CONFIGS``). The conformal calibration booster is skipped (it does not touch the
point forecast, only the intervals), so one configuration costs one booster per cut-off.
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
from training.forecasting import store  # noqa: E402
from training.forecasting.backtest import (  # noqa: E402
    BEIJING_DISRUPTIONS,
    cutoffs_for,
    store_lgbm_params,
)

POOL = {"pool_by": ("segment", "occupation")}
CONFIGS: dict[str, dict] = {
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
    "pc_disruptions": {
        **POOL,
        "group_cycle": ("occupation", "industry"),
        "disruption_months": BEIJING_DISRUPTIONS,
    },
}


class PointOnly(GlobalLGBMForecaster):
    """The forecaster without its calibration booster: the final booster and point forecasts only."""

    def _train(self, ctx, *, max_t, rng):
        if max_t < ctx[1].values.shape[1] - 1:
            return None
        return super()._train(ctx, max_t=max_t, rng=rng)

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
    ap.add_argument("--out", default="")
    ap.add_argument("--dump", default="", help="Also write the scored forecasts (PATH.<config>.parquet).")
    ap.add_argument(
        "--intervals", action="store_true", help="Full fits with the hierarchy: coverage per level instead."
    )
    args = ap.parse_args()
    from talentcluster.commands.common import settings

    raw = pd.read_parquet(args.input)
    df = store.store_to_long(raw, settings().reference_dir, args.target)
    df = df[df[DS] <= pd.Timestamp(f"{args.until}-01")]
    cutoffs = cutoffs_for(df, args.horizon, 3, None)
    H = args.horizon
    if args.intervals:
        return intervals(df, H, args)
    results = {}
    for name in args.config or ["base"]:
        params = {**store_lgbm_params(), **CONFIGS[name]}
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


def intervals(df: pd.DataFrame, H: int, args) -> None:
    """80/95% coverage per level on the validation cut-offs: all target months and ordinary ones only."""
    from models.forecasting.reconcile import Hierarchy
    from training.forecasting.backtest import backtest

    hierarchy = Hierarchy.from_columns(list(store.HIERARCHY), total=False)
    shocks = pd.to_datetime([f"{m}-01" for m in BEIJING_DISRUPTIONS])
    results = {}
    for name in args.config or ["base"]:
        params = {**store_lgbm_params(), **CONFIGS[name]}
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
