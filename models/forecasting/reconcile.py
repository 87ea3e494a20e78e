"""Coherent forecasts over hierarchies given as columns (occupation → segment → industry → cluster,
zone → city): bottom-up means, and intervals derived at each level, never by summing bounds.

A *level* is a tuple of columns; its nodes are the distinct value combinations among the bottom series
(``unique_id``), named ``"industry=ind0"`` or ``"zone=z1/segment=s3"``; the empty tuple is ``"total"``.

Intervals at aggregate levels (a sum of bounds is not an interval of the sum — PITFALLS):
* for a forecaster that keeps held-out calibration forecasts (``calibration_``), split conformal on the
  aggregated calibration residuals of each level, scaled by the node's summed origin scale, and moved
  up by the skew of a sum of medians (:func:`sum_skew`) — the bottom-up point stays the plain sum;
* otherwise the base forecaster is fitted on each aggregated series directly and its interval
  half-widths are centred on the bottom-up mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.errors import InvalidInput
from models.forecasting.base import Forecaster
from models.forecasting.conformal import horizon_quantiles
from models.forecasting.frames import DS, ID, OUTPUT_COLUMNS, validate_long

BOTTOM = "bottom"
TOL = 1e-6
# Weight of the per-(origin, horizon) centre of the aggregate calibration scores against the per-horizon
# one (see centred_scores), chosen on six validation cut-offs of two markets with the sum skew
# (docs/forecasting.md, Intervals; 0.6 until round 6, chosen on three cut-offs of one market).
ORIGIN_CENTRING = 0.5


def level_name(level: tuple[str, ...]) -> str:
    return "/".join(level) if level else "total"


@dataclass(frozen=True)
class Hierarchy:
    """Aggregation levels over the bottom series, each a tuple of hierarchy columns (``()`` = total)."""

    levels: tuple[tuple[str, ...], ...]

    @classmethod
    def from_columns(cls, columns: list[str] | tuple[str, ...], total: bool = True) -> Hierarchy:
        """Each column on its own, plus the grand total."""
        return cls(tuple((c,) for c in columns) + (((),) if total else ()))

    @property
    def columns(self) -> list[str]:
        return sorted({c for lv in self.levels for c in lv})

    def membership(self, df: pd.DataFrame) -> pd.DataFrame:
        """``unique_id, level, node`` for every bottom series and level; the summing matrix in long form.

        Raises InvalidInput when a hierarchy column is missing or not constant within a series.
        """
        missing = [c for c in self.columns if c not in df.columns]
        if missing:
            raise InvalidInput(f"hierarchy column(s) {missing} not in the frame", field=missing[0])
        keys = df[[ID, *self.columns]].drop_duplicates()
        if keys[ID].duplicated().any():
            bad = keys.loc[keys[ID].duplicated(), ID].iloc[0]
            raise InvalidInput(
                f"series {bad!r} changes hierarchy membership over time; each series must "
                f"belong to one node of {self.columns}",
                field=ID,
            )
        if keys[self.columns].isna().any().any():
            raise InvalidInput(f"hierarchy columns {self.columns} have empty values", field=self.columns[0])
        parts = []
        for lv in self.levels:
            node = (
                pd.Series("total", index=keys.index)
                if not lv
                else keys[list(lv)]
                .astype(str)
                .apply(lambda r, lv=lv: "/".join(f"{c}={v}" for c, v in zip(lv, r, strict=True)), axis=1)
            )
            parts.append(
                pd.DataFrame({ID: keys[ID].to_numpy(), "level": level_name(lv), "node": node.to_numpy()})
            )
        return pd.concat(parts, ignore_index=True)


def aggregate(frame: pd.DataFrame, membership: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Sum ``columns`` of a bottom frame (``unique_id, ds, …``) to every node; ``unique_id`` = node.

    Sums skip missing values but a node-month with no observed member stays NaN (missing ≠ zero).
    """
    j = frame.merge(membership, on=ID, how="inner")
    g = j.groupby(["level", "node", DS], sort=True)[columns].sum(min_count=1).reset_index()
    return g.rename(columns={"node": ID})


def check_coherence(
    bottom: pd.DataFrame,
    upper: pd.DataFrame,
    membership: pd.DataFrame,
    column: str = "mean",
    tol: float = TOL,
) -> float:
    """Largest |node − Σ members| over all nodes and months; raises InvalidInput above ``tol``.

    Also checks that the bottom frame covers every member of every node for every month (PITFALLS:
    forecasts must cover the whole summing matrix before reconciling).
    """
    expected = set(membership[ID])
    months = bottom[DS].unique()
    have = bottom.groupby(DS)[ID].nunique()
    if set(bottom[ID]) != expected or (have.reindex(months) != len(expected)).any():
        raise InvalidInput(
            "bottom forecasts do not cover every series of the hierarchy for every month", field=ID
        )
    sums = aggregate(bottom[[ID, DS, column]], membership, [column])
    j = upper[["level", ID, DS, column]].merge(sums, on=["level", ID, DS], suffixes=("", "_sum"))
    if len(j) != len(sums):
        raise InvalidInput("aggregate forecasts are missing nodes of the hierarchy", field=ID)
    gap = float(np.max(np.abs(j[column] - j[f"{column}_sum"]))) if len(j) else 0.0
    if gap > tol:
        raise InvalidInput(f"incoherent forecasts: a node differs from the sum of its members by {gap:.3g}")
    return gap


def _aggregate_scores(cal: pd.DataFrame, membership: pd.DataFrame):
    """Per level: scaled signed errors of the summed calibration forecasts, per (node, origin, h).

    One groupby per level on integer codes (the calibration frame has millions of rows; joining it with
    the whole membership table first would multiply it by the number of levels).
    """
    keys = pd.MultiIndex.from_arrays([cal["origin"], cal["h"]])
    okey, oidx = pd.factorize(keys)
    for lv, m in membership.groupby("level", sort=False):
        node = cal[ID].map(pd.Series(m["node"].to_numpy(), index=m[ID].to_numpy()))
        code, _ = pd.factorize(node)
        ok = code >= 0
        g = (
            pd.DataFrame(
                {
                    "n": code[ok],
                    "k": okey[ok],
                    "y": cal["y"].to_numpy()[ok],
                    "yhat": cal["yhat"].to_numpy()[ok],
                    "scale": cal["scale"].to_numpy()[ok],
                }
            )
            .groupby(["n", "k"], sort=False)[["y", "yhat", "scale"]]
            .sum()
        )
        k = g.index.get_level_values("k").to_numpy()
        score = ((g["y"] - g["yhat"]) / g["scale"]).to_numpy()  # signed: see centred_scores
        yield lv, (score, oidx.get_level_values(1).to_numpy()[k], k)


def centred_scores(
    score: np.ndarray, h: np.ndarray, origin: np.ndarray | None = None, origin_weight: float = 0.0
) -> np.ndarray:
    """|score − centre|: the width of an aggregate's interval measures dispersion, not a shared bias.

    The held-out calibration boosters are trained on less data than the final one and, summed over
    hundreds of series, their median forecasts carry a shared bias (seed 11 validation: +13% of the node
    scale at every aggregate level, against +1.5% for the final model at the same cut-off); as absolute
    scores it made every aggregate interval far too wide (80% intervals covering 95–99%). The centre is
    the median at that horizon, moved by ``origin_weight`` towards the median of the scores' own origin
    at that horizon: ``score − centre`` is then the node's own error plus (1 − weight) × its origin's
    shared shock. Weight 0 keeps every origin's shock in full — and the stale calibration booster's
    shocks overstate the final model's (aggregate 80% intervals covered 95–98% on validation); weight 1
    drops them — and zones covered 0.57. ``ORIGIN_CENTRING`` (0.5) was chosen on validation.
    """
    out = np.empty_like(score)
    for k in np.unique(h):
        m = h == k
        centre = np.full(m.sum(), np.median(score[m]))
        if origin is not None and origin_weight > 0:
            o = pd.Series(score[m]).groupby(origin[m]).transform("median").to_numpy()
            centre = (1.0 - origin_weight) * centre + origin_weight * o
        out[m] = np.abs(score[m] - centre)
    return out


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


def sum_skew(cal: pd.DataFrame, horizon: int) -> np.ndarray:
    """Per horizon 1..H: how far the sum of the bottom forecasts falls below the middle of the actual
    sum, per unit of the summed scale.

    The bottom forecasts are medians (an L1 objective, for MASE) and the errors of counts are skewed
    right, so a sum of medians sits below the median of the sum: over the whole market the summed error
    ``Σ(y − ŷ) / Σscale`` exceeds the scale-weighted median of the series' scaled errors by 5–8% of the
    scale, growing with h, in the calibration forecasts and the final model's alike, at every cut-off of
    two simulated markets (docs/forecasting.md, Intervals). That gap is the median over the calibration
    origins of (summed error − weighted median error) — the booster's staleness and each origin's shared
    shock move both terms and cancel. An aggregate's interval is centred that far above its bottom-up sum.
    """
    out = np.full(horizon, np.nan)
    cal = cal[np.isfinite(cal["y"])]
    r = ((cal["y"] - cal["yhat"]) / cal["scale"]).to_numpy(np.float64)
    w = cal["scale"].to_numpy(np.float64)
    ok = np.isfinite(r) & (w > 0)
    frame = pd.DataFrame(
        {"o": cal["origin"].to_numpy()[ok], "h": cal["h"].to_numpy()[ok], "r": r[ok], "w": w[ok]}
    )
    gaps: dict[int, list[float]] = {}
    for (_, h), g in frame.groupby(["o", "h"], sort=False):
        rr, ww = g["r"].to_numpy(), g["w"].to_numpy()
        gaps.setdefault(int(h), []).append(float((rr * ww).sum() / ww.sum()) - _weighted_median(rr, ww))
    for h, v in gaps.items():
        if 1 <= h <= horizon:
            out[h - 1] = np.median(v)
    return np.nan_to_num(pd.Series(out).ffill().to_numpy(), nan=0.0)


def aggregate_bounds(mean: np.ndarray, half: np.ndarray, shift: np.ndarray, clip0: bool):
    """``(lo, hi)`` of an aggregate: ``mean + shift ± half``, widened to hold ``mean`` (lo ≤ mean ≤ hi)."""
    lo, hi = np.minimum(mean, mean + shift - half), np.maximum(mean, mean + shift + half)
    return (np.maximum(lo, 0), np.maximum(hi, 0)) if clip0 else (lo, hi)


class BottomUpForecaster(Forecaster):
    """Wraps a bottom-level forecaster; ``predict`` returns every level with a ``level`` column."""

    def __init__(self, base: Forecaster, hierarchy: Hierarchy, origin_centring: float = ORIGIN_CENTRING):
        self.base = base
        self.hierarchy = hierarchy
        self.origin_centring = origin_centring

    @property
    def name(self) -> str:  # type: ignore[override]
        return self.base.name

    def fit(self, df: pd.DataFrame) -> BottomUpForecaster:
        df = validate_long(df)
        self.membership_ = self.hierarchy.membership(df)
        self.base_ = self.base.clone().fit(df)
        cal = getattr(self.base_, "calibration_", None)
        H = self.base_.horizon
        if cal is not None:
            self.level_quantiles_ = {
                lv: horizon_quantiles(centred_scores(score, h, origin, self.origin_centring), h, H)
                for lv, (score, h, origin) in _aggregate_scores(cal, self.membership_)
            }
            self.level_shift_ = sum_skew(cal, H)
            self.level_models_ = None
        else:
            self.level_quantiles_ = self.level_shift_ = None
            agg = aggregate(df[[ID, DS, "y"]], self.membership_, ["y"])
            self.level_models_ = self.base.clone().fit(
                agg.assign(**{ID: agg["level"] + "|" + agg[ID]})[[ID, DS, "y"]]
            )
        return self

    def predict(self, h: int | None = None, X_future: pd.DataFrame | None = None) -> pd.DataFrame:
        self.check_is_fitted()
        bottom = self.base_.predict(h, X_future)
        upper = aggregate(bottom[[ID, DS, "mean"]], self.membership_, ["mean"])
        steps = upper.groupby(["level", ID]).cumcount().to_numpy() + 1
        clip0 = bool(getattr(self.base_, "clip_nonnegative_", False))
        shift = np.zeros(len(upper))
        if self.level_quantiles_ is not None:
            scale = self.base_.origin_scale().rename("scale").reset_index().rename(columns={"index": ID})
            node_scale = self.membership_.merge(scale, on=ID).groupby(["level", "node"])["scale"].sum()
            s = node_scale.reindex(pd.MultiIndex.from_arrays([upper["level"], upper[ID]])).to_numpy()
            half = {
                lv: np.array(
                    [self.level_quantiles_[L][lv][k - 1] for L, k in zip(upper["level"], steps, strict=True)]
                )
                * s
                for lv in (80, 95)
            }
            shift = self.level_shift_[np.minimum(steps, len(self.level_shift_)) - 1] * s
        else:
            direct = self.level_models_.predict(h)
            key = upper["level"] + "|" + upper[ID]
            d = direct.set_index([ID, DS]).reindex(pd.MultiIndex.from_arrays([key, upper[DS]]))
            # hi − mean, not (hi − lo)/2: a lower bound clipped at zero would shrink the width.
            half = {lv: (d[f"hi{lv}"] - d["mean"]).to_numpy() for lv in (80, 95)}
        m = upper["mean"].to_numpy()
        for lv in (80, 95):
            upper[f"lo{lv}"], upper[f"hi{lv}"] = aggregate_bounds(m, half[lv], shift, clip0)
        out = pd.concat([bottom.assign(level=BOTTOM), upper[[*OUTPUT_COLUMNS, "level"]]], ignore_index=True)
        check_coherence(bottom, upper, self.membership_)
        return out
