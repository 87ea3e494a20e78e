"""Shortage-ranking quality in a rolling-origin backtest: precision@k / recall@k against the truly short
occupations, for the model and for the "last year's list" that bureaus use today.

Two measures (definitions also in docs/forecasting.md):

* ``series`` (legacy): zone × segment × occupation series, top ``k`` against every truly short series.
  With ~1,800 of 7,763 series short, any sensible top-20 is right: it cannot separate skill from luck.
* ``ranking`` (the headline): occupation × segment nodes, city-wide (zones summed), at k = 50/100/200
  against every node truly short over the next 12 months (*all short*), and — the measure of foresight —
  among the nodes that were **not** short over the last 12 months, against those that *become* short
  (*newly short*). The baseline for *all short* is last year's list ranked by last year's observed index
  (continued below the threshold so that it always has k entries); for *newly short* it is the
  candidates ranked by last year's observed index (the nearest to the threshold first).
"""

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
    node_level: tuple[str, ...] = ("occupation", "segment"),
    ks: tuple[int, ...] = (50, 100, 200),
    new_ks: tuple[int, ...] = (20, 50),
    frames: list[pd.DataFrame] | None = None,
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
        # Supply needs bottom-level intervals only: one calibration window and a third of the calibration
        # rows are enough (500k rows: ~40k scores per horizon; the aggregates' 1.5M are not needed). One
        # booster, not the demand model's bag of three: it keeps the backtest's wall time (the bag moves
        # postings' h = 12 MASE by 0.1–0.2%; the ranking reads both sides through P(short)).
        s_params = {**(params or {}), "calibration_windows": 1, "n_boosters": 1}
        s_params["max_calibration_rows"] = min(s_params.get("max_calibration_rows", 500_000), 500_000)
        fc_s = GlobalLGBMForecaster(horizon=horizon, **s_params).fit(s_hist).predict()
        assessed = assess_shortage(d_hist, fc_d, s_hist, fc_s, rule=rule)
        node = None
        if truth is not None and all(c in demand.columns for c in node_level):
            node = node_ranking(
                demand, supply, fc_d, fc_s, truth, cutoff, horizon, node_level, rule, ks, new_ks, frames
            )
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
                "ranking": node,
            }
        )
    bt = [r for r in rows if r["origin"] == "backtest"]
    mean = {
        who: {m: float(np.nanmean([r[who][m] for r in bt])) for m in ("precision_at_k", "recall_at_k")}
        for who in ("model", "last_year_list")
    }
    return {
        "threshold": rule.threshold,
        "definition": __doc__.split("Two measures", 1)[-1].strip(),
        "ranking_mean": _ranking_mean([r["ranking"] for r in bt if r["ranking"]]),
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


def _node_key(frame: pd.DataFrame, level: tuple[str, ...]) -> pd.Series:
    return frame[list(level)].astype(str).agg("/".join, axis=1)


def _node_truth_index(truth: pd.DataFrame, members: pd.Series, lo, hi) -> pd.Series:
    """Structural 求人倍率 of each node over ``lo < ds <= hi``: Σ R*·J / Σ J over its series and months."""
    w = truth[(truth[DS] > lo) & (truth[DS] <= hi) & truth[ID].isin(members.index)]
    j = np.maximum(w["job_seekers"].to_numpy(np.float64), 1.0) if "job_seekers" in w else np.ones(len(w))
    g = (
        pd.DataFrame(
            {
                "node": w[ID].map(members).to_numpy(),
                "num": w["structural_shortage_index"].to_numpy() * j,
                "den": j,
            }
        )
        .groupby("node")[["num", "den"]]
        .sum()
    )
    return g["num"] / g["den"]


def _node_forecast(fc: pd.DataFrame, members: pd.Series) -> pd.DataFrame:
    """Node frames: summed means; σ = √Σσ² (members' errors taken as independent — an approximation)."""
    from models.forecasting.shortage import _sigma

    f = fc[[ID, DS, "mean"]].assign(var=_sigma(fc) ** 2, node=fc[ID].map(members))
    g = f.groupby(["node", DS])[["mean", "var"]].sum().reset_index().rename(columns={"node": ID})
    sd = np.sqrt(g.pop("var"))
    return g.assign(
        lo80=g["mean"] - 1.2815515655446004 * sd,
        hi80=g["mean"] + 1.2815515655446004 * sd,
        lo95=g["mean"] - 1.959963984540054 * sd,
        hi95=g["mean"] + 1.959963984540054 * sd,
    )


def node_ranking(
    demand, supply, fc_d, fc_s, truth, cutoff, horizon, level, rule, ks, new_ks, frames=None
) -> dict:
    """Precision/recall@k at ``level`` (city-wide), model vs last year's list; see the module docstring.

    ``frames``: when a list, one frame per call is appended (node, P(short), forecast and true index).
    """
    from models.forecasting.shortage import shortage_probability

    keys = demand.drop_duplicates(ID)
    members = pd.Series(_node_key(keys, level).to_numpy(), index=keys[ID].to_numpy())
    end = cutoff + pd.DateOffset(months=horizon)
    year_ago = cutoff - pd.DateOffset(months=12)
    future = _node_truth_index(truth, members, cutoff, end)
    past = _node_truth_index(truth, members, year_ago, cutoff)
    short = set(future[future >= rule.threshold].index)
    new = short - set(past[past >= rule.threshold].index)

    def observed(frame):
        w = frame[(frame[DS] > year_ago) & (frame[DS] <= cutoff)]
        return w.assign(node=w[ID].map(members)).groupby(["node", DS])["y"].sum()

    j = pd.concat([observed(demand).rename("d"), observed(supply).rename("s")], axis=1).dropna()
    last = (j["d"] / np.maximum(j["s"], 1.0)).groupby(level=0).mean().reindex(future.index).fillna(0.0)
    ids = set(fc_d[ID]) & set(fc_s[ID])
    p = (
        shortage_probability(
            _node_forecast(fc_d[fc_d[ID].isin(ids)], members),
            _node_forecast(fc_s[fc_s[ID].isin(ids)], members),
            rule.threshold,
        )
        .set_index(ID)
        .reindex(future.index)
    )
    model = list(p.sort_values(["p_short", "shortage_index"], ascending=False).index)
    baseline = list(last.sort_values(ascending=False).index)
    on_list = set(last[last > rule.threshold].index)
    cand_model = [n for n in model if n not in on_list]
    cand_base = [n for n in baseline if n not in on_list]
    if frames is not None:
        parts = pd.Series(future.index, index=future.index).str.split("/", expand=True)
        parts.columns = list(level)
        seg_ind = (
            demand.drop_duplicates("segment").set_index("segment")["industry"]
            if "industry" in demand
            else None
        )
        fr = parts.assign(
            cutoff=cutoff,
            p_short=p["p_short"],
            shortage_index=p["shortage_index"],
            last_year_index=last,
            true_index=future,
            truly_short=future >= rule.threshold,
            newly_short=future.index.isin(new),
        )
        if seg_ind is not None and "segment" in level:
            fr["industry"] = fr["segment"].map(seg_ind)
        frames.append(fr.rename_axis("node").reset_index())

    def score(ranked, truth_set, k):
        pr, rc = precision_recall_at_k(ranked, truth_set, min(k, len(ranked)))
        return {"precision": pr, "recall": rc}

    return {
        "level": "/".join(level),
        "n_nodes": int(len(future)),
        "n_short": len(short),
        "n_on_last_year_list": len(on_list),
        "n_newly_short": len(new & set(cand_base)),
        "all_short": {
            str(k): {"model": score(model, short, k), "last_year_list": score(baseline, short, k)} for k in ks
        },
        "newly_short": {
            str(k): {"model": score(cand_model, new, k), "last_year_list": score(cand_base, new, k)}
            for k in new_ks
        },
    }


def _defined_mean(values: list[float]) -> float:
    """Mean of the defined values; NaN, without numpy's empty-slice warning, where none is (no
    occupation became newly short at any cut-off, so precision and recall are undefined)."""
    defined = [v for v in values if not np.isnan(v)]
    return float(np.mean(defined)) if defined else float("nan")


def _ranking_mean(rows: list[dict]) -> dict | None:
    """Mean over cut-offs of every precision/recall in :func:`node_ranking`'s output."""
    if not rows:
        return None
    out: dict = {"n_cutoffs": len(rows)}
    for measure in ("all_short", "newly_short"):
        out[measure] = {
            k: {
                who: {
                    m: _defined_mean([r[measure][k][who][m] for r in rows]) for m in ("precision", "recall")
                }
                for who in ("model", "last_year_list")
            }
            for k in rows[0][measure]
        }
    out["n_newly_short"] = float(np.mean([r["n_newly_short"] for r in rows]))
    out["n_short"] = float(np.mean([r["n_short"] for r in rows]))
    return out
