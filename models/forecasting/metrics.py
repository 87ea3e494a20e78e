"""Forecast accuracy and calibration metrics on a frame of forecasts joined with actuals.

The frame has ``y, mean, lo80, hi80, lo95, hi95`` and ``mase_scale`` (mean |y_t − y_{t−12}| of the
series' training window, see :func:`mase_scale`). All metrics ignore rows whose ``y`` is missing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# The interval bounds and the mean read as quantiles of the predictive distribution.
QUANTILE_COLUMNS = {0.025: "lo95", 0.1: "lo80", 0.5: "mean", 0.9: "hi80", 0.975: "hi95"}
METRICS = ("mase", "smape", "wql", "coverage_80", "coverage_95")


def mase_scale(values: np.ndarray, season: int = 12) -> np.ndarray:
    """Per-row-series MASE denominator: mean |y_t − y_{t−m}| over observed pairs, m = 12.

    Falls back to m = 1 for series shorter than a season, then to mean |y|; never 0 (1 instead).
    ``values`` is ``(n, T)`` with NaN for missing months.
    """
    import warnings

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows fall through to the next rule
        out = np.full(values.shape[0], np.nan)
        if values.shape[1] > season:
            out = np.nanmean(np.abs(values[:, season:] - values[:, :-season]), axis=1)
        naive = np.nanmean(np.abs(np.diff(values, axis=1)), axis=1) if values.shape[1] > 1 else out
        out = np.where(np.isfinite(out) & (out > 0), out, naive)
        level = np.nanmean(np.abs(values), axis=1)
        out = np.where(np.isfinite(out) & (out > 0), out, level)
    return np.where(np.isfinite(out) & (out > 0), out, 1.0)


def point_metrics(frame: pd.DataFrame) -> dict[str, float]:
    """MASE, sMAPE (percent, 0–200), WQL and the two coverages over all rows of ``frame``."""
    f = frame[np.isfinite(frame["y"])]
    if f.empty:
        return {k: float("nan") for k in METRICS} | {"n": 0}
    y, m = f["y"].to_numpy(), f["mean"].to_numpy()
    err = np.abs(y - m)
    denom = np.abs(y) + np.abs(m)
    smape = np.where(denom > 0, 200.0 * err / np.where(denom > 0, denom, 1.0), 0.0)
    return {
        "mase": float(np.mean(err / f["mase_scale"].to_numpy())),
        "smape": float(np.mean(smape)),
        "wql": wql(f),
        "coverage_80": float(np.mean((y >= f["lo80"]) & (y <= f["hi80"]))),
        "coverage_95": float(np.mean((y >= f["lo95"]) & (y <= f["hi95"]))),
        "n": int(len(f)),
    }


def wql(frame: pd.DataFrame) -> float:
    """Weighted (scaled) quantile loss: mean over quantiles of 2·Σ pinball / Σ |y| (as in GluonTS)."""
    y = frame["y"].to_numpy()
    total = np.sum(np.abs(y))
    if total == 0:
        return float("nan")
    losses = []
    for q, col in QUANTILE_COLUMNS.items():
        d = y - frame[col].to_numpy()
        losses.append(2.0 * np.sum(np.maximum(q * d, (q - 1) * d)) / total)
    return float(np.mean(losses))


def grouped_metrics(frame: pd.DataFrame, by: str | list[str]) -> dict:
    """:func:`point_metrics` per group, keyed by the group value (as str for JSON)."""
    return {
        str(k if not isinstance(k, tuple) else "/".join(map(str, k))): point_metrics(g)
        for k, g in frame.groupby(by, sort=True)
    }


def precision_recall_at_k(ranked: list[str], truth: set[str], k: int) -> tuple[float, float]:
    """Precision@k and recall@k of a ranked list against the set of truly positive ids."""
    top = ranked[:k]
    hits = len(set(top) & truth)
    precision = hits / k if k else float("nan")
    recall = hits / len(truth) if truth else float("nan")
    return precision, recall
