"""Shortage-ranking quality in a rolling-origin backtest: precision@k / recall@k against the truly short
occupations, for the model and for the "last year's list" that bureaus use today."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.forecasting.frames import DS, ID, month_index, validate_long
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.metrics import precision_recall_at_k
from models.forecasting.shortage import ShortageRule, assess_shortage, shortage_index
from training.forecasting.backtest import Progress, cutoffs_for


def _mean_index(demand: pd.DataFrame, supply: pd.DataFrame, lo, hi) -> pd.Series:
    """Mean monthly 求人倍率 per series over months ``lo < ds <= hi`` where both sides are observed."""
    j = demand[[ID, DS, "y"]].merge(supply[[ID, DS, "y"]], on=[ID, DS], suffixes=("_d", "_s"))
    j = j[(j[DS] > lo) & (j[DS] <= hi)].dropna()
    j["r"] = shortage_index(j["y_d"], j["y_s"])
    return j.groupby(ID)["r"].mean()


def shortage_ranking_backtest(
    demand: pd.DataFrame,
    supply: pd.DataFrame,
    horizon: int,
    *,
    n_cutoffs: int = 3,
    step: int | None = None,
    k: int = 20,
    rule: ShortageRule | None = None,
    params: dict | None = None,
    progress: Progress | None = None,
) -> dict:
    """Per cut-off and on average: precision@k, recall@k of the model's ranking and of last year's list.

    Truth: mean index over the horizon after the cut-off above the threshold. Last year's list: series
    whose mean index over the 12 months up to the cut-off was above it, ranked by that index.
    """
    rule = rule or ShortageRule()
    demand, supply = validate_long(demand[[ID, DS, "y"]]), validate_long(supply[[ID, DS, "y"]])
    say = progress or (lambda _m: None)
    rows = []
    for cutoff in cutoffs_for(demand, horizon, n_cutoffs, step):
        say(f"shortage ranking @ {cutoff:%Y-%m}")
        end = cutoff + pd.DateOffset(months=horizon)
        truth_index = _mean_index(demand, supply, cutoff, end)
        truth = set(truth_index[truth_index > rule.threshold].index)
        last = _mean_index(demand, supply, cutoff - pd.DateOffset(months=12), cutoff)
        baseline = list(last[last > rule.threshold].sort_values(ascending=False).index)
        d_hist, s_hist = demand[demand[DS] <= cutoff], supply[supply[DS] <= cutoff]
        fc = [
            GlobalLGBMForecaster(horizon=horizon, **(params or {})).fit(h).predict() for h in (d_hist, s_hist)
        ]
        assessed = assess_shortage(d_hist, fc[0], s_hist, fc[1], rule=rule)
        assessed = assessed[assessed[ID].isin(truth_index.index)]
        ranked = list(assessed.sort_values(["p_short", "shortage_index"], ascending=False)[ID])
        kk = min(k, len(ranked))
        p_m, r_m = precision_recall_at_k(ranked, truth, kk)
        p_b, r_b = precision_recall_at_k(baseline, truth, kk)
        rows.append(
            {
                "cutoff": f"{cutoff:%Y-%m-%d}",
                "k": kk,
                "n_truly_short": len(truth),
                "model": {"precision_at_k": p_m, "recall_at_k": r_m},
                "last_year_list": {"precision_at_k": p_b, "recall_at_k": r_b},
            }
        )
    mean = {
        who: {m: float(np.nanmean([r[who][m] for r in rows])) for m in ("precision_at_k", "recall_at_k")}
        for who in ("model", "last_year_list")
    }
    return {
        "threshold": rule.threshold,
        "k": k,
        "horizon": horizon,
        "mean": mean,
        "per_cutoff": rows,
        "month_span": int(month_index(demand[DS]).max() - month_index(demand[DS]).min() + 1),
    }
