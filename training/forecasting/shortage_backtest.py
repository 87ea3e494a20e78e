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
    demand_forecasts: pd.DataFrame | None = None,
    truth: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> dict:
    """Per cut-off and on average: precision@k, recall@k of the model's ranking and of last year's list.

    Truth: with ``truth`` (``unique_id, ds, structural_shortage_index``, the simulator's hidden state),
    the series whose mean structural index over the ``horizon`` months after the cut-off is at least the
    threshold; the final origin (the last observed month) is then scored too, as ``"truth"``. Without
    it, the observed mean index over those months. Last year's list: the series whose observed mean index
    over the 12 months up to the cut-off was above the threshold, ranked by that index.
    ``demand_forecasts``: the backtest's ``lgbm_global`` forecasts (``model, cutoff, level, …``), reused
    instead of fitting the demand model again.
    """
    rule = rule or ShortageRule()
    extra_d = [c for c in demand.columns if c not in (ID, DS, "y")]
    extra_s = [c for c in supply.columns if c not in (ID, DS, "y")]
    demand = validate_long(demand, required=tuple(extra_d))
    supply = validate_long(supply, required=tuple(extra_s))
    say = progress or (lambda _m: None)
    origins = [(c, "backtest") for c in cutoffs_for(demand, horizon, n_cutoffs, step)]
    if truth is not None and truth[DS].max() > demand[DS].max():
        origins.append((demand[DS].max(), "truth"))
    rows = []
    for cutoff, kind in origins:
        say(f"shortage ranking @ {cutoff:%Y-%m}")
        end = cutoff + pd.DateOffset(months=horizon)
        if truth is not None:
            w = truth[(truth[DS] > cutoff) & (truth[DS] <= end)]
            truth_index = w.groupby(ID)["structural_shortage_index"].mean()
            truth_index = truth_index[truth_index.index.isin(set(demand[ID]))]
            truth_set = set(truth_index[truth_index >= rule.threshold].index)
        else:
            truth_index = _mean_index(demand, supply, cutoff, end)
            truth_set = set(truth_index[truth_index > rule.threshold].index)
        last = _mean_index(demand, supply, cutoff - pd.DateOffset(months=12), cutoff)
        baseline = list(last[last > rule.threshold].sort_values(ascending=False).index)
        d_hist, s_hist = demand[demand[DS] <= cutoff], supply[supply[DS] <= cutoff]
        fc_d = _reuse(demand_forecasts, cutoff)
        if fc_d is None:
            fc_d = GlobalLGBMForecaster(horizon=horizon, **(params or {})).fit(d_hist).predict()
        fc_s = GlobalLGBMForecaster(horizon=horizon, **(params or {})).fit(s_hist).predict()
        assessed = assess_shortage(d_hist, fc_d, s_hist, fc_s, rule=rule)
        assessed = assessed[assessed[ID].isin(truth_index.index)]
        ranked = list(assessed.sort_values(["p_short", "shortage_index"], ascending=False)[ID])
        kk = min(k, len(ranked))
        p_m, r_m = precision_recall_at_k(ranked, truth_set, kk)
        p_b, r_b = precision_recall_at_k(baseline, truth_set, kk)
        rows.append(
            {
                "cutoff": f"{cutoff:%Y-%m-%d}",
                "scored_against": "hidden truth" if truth is not None else "observed",
                "origin": kind,
                "k": kk,
                "n_truly_short": len(truth_set),
                "model": {"precision_at_k": p_m, "recall_at_k": r_m},
                "last_year_list": {"precision_at_k": p_b, "recall_at_k": r_b},
            }
        )
    bt = [r for r in rows if r["origin"] == "backtest"]
    mean = {
        who: {m: float(np.nanmean([r[who][m] for r in bt])) for m in ("precision_at_k", "recall_at_k")}
        for who in ("model", "last_year_list")
    }
    return {
        "threshold": rule.threshold,
        "k": k,
        "horizon": horizon,
        "mean": mean,
        "per_cutoff": rows,
        "truth": next((r for r in rows if r["origin"] == "truth"), None),
        "month_span": int(month_index(demand[DS]).max() - month_index(demand[DS]).min() + 1),
    }


def _reuse(forecasts: pd.DataFrame | None, cutoff: pd.Timestamp) -> pd.DataFrame | None:
    if forecasts is None:
        return None
    f = forecasts[
        (forecasts["model"] == GlobalLGBMForecaster.name)
        & (forecasts["cutoff"] == cutoff)
        & (forecasts.get("level", "bottom") == "bottom")
    ]
    return f[[ID, DS, "mean", "lo80", "hi80", "lo95", "hi95"]].reset_index(drop=True) if len(f) else None
