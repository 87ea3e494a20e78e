"""Which (series, origin, horizon) rows a booster of ``GlobalLGBMForecaster`` learns from and is
calibrated on, and how much each weighs.

A row ``(i, o, h)`` reads "standing at month ``o`` of series ``i``, predict ``o + h``"; indices are panel
positions (``Panel.start + o`` is the calendar month). Known disruption months (lockdowns) are given as
month indices (``frames.month_index``).
"""

from __future__ import annotations

import numpy as np

from models.forecasting.features import mase_scale_at_origin
from models.forecasting.frames import Panel


def disrupted(months: np.ndarray, disruptions: tuple[int, ...]) -> np.ndarray:
    """Rows whose target month is a known disruption: one such month moves every series at once."""
    return np.isin(months, disruptions) if disruptions else np.zeros(len(months), dtype=bool)


def disrupted_window(origins: np.ndarray, disruptions: tuple[int, ...], window: int = 12) -> np.ndarray:
    """Origins whose last ``window`` months hold a known disruption: their features (lags, means,
    growth) are distorted, so their errors say little about an ordinary origin's."""
    d = np.asarray(disruptions, dtype=np.int64)
    if not len(d):
        return np.zeros(len(origins), dtype=bool)
    gap = origins[:, None] - d[None, :]
    return ((gap >= 0) & (gap < window)).any(axis=1)


def training_rows(
    panel: Panel,
    scale: np.ndarray,
    *,
    horizon: int,
    max_t: int,
    max_rows: int,
    rng: np.random.Generator,
    train_months: int | None = None,
    drop: tuple[int, ...] = (),
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with an observed target at or before ``max_t``: the whole grid, or ``max_rows`` sampled
    uniformly from it (fitting stays linear in the number of series).

    ``train_months`` keeps only origins within that many months before ``max_t`` (recent regimes);
    ``drop``: disruption months never used as targets.
    """
    n, _ = panel.values.shape
    H = horizon
    lo = max(0, max_t - int(train_months)) if train_months else 0
    total = n * (max_t - lo) * H
    if total <= max_rows:
        i, o, h = (
            a.ravel()
            for a in np.meshgrid(np.arange(n), np.arange(lo, max_t), np.arange(1, H + 1), indexing="ij")
        )
    else:
        m = int(max_rows * 1.5)
        i, o, h = rng.integers(0, n, m), rng.integers(lo, max_t, m), rng.integers(1, H + 1, m)
    t = o + h
    ok = t <= max_t
    ok[ok] = np.isfinite(panel.values[i[ok], t[ok]]) & np.isfinite(scale[i[ok], o[ok]])
    if drop:
        ok &= ~disrupted(panel.start + t, drop)
    return i[ok][:max_rows], o[ok][:max_rows], h[ok][:max_rows]


def calibration_rows(
    panel: Panel, *, horizon: int, cut: int, until: int, max_rows: int, disruptions: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Held-out rows from the origins ``cut .. until − 1`` (at most ``max_rows``, origins evenly spaced and
    always the first of the slice), ordinary months and origins only where every horizon keeps some."""
    n, T = panel.values.shape
    H = horizon
    origins = np.arange(cut, until)
    budget = max(1, max_rows // max(n * H, 1))
    if len(origins) > budget:
        origins = np.unique(np.linspace(cut, until - 1, budget).round().astype(np.int64))
    i, o, h = (a.ravel() for a in np.meshgrid(np.arange(n), origins, np.arange(1, H + 1), indexing="ij"))
    ok = o + h <= T - 1
    ordinary = ok & ~disrupted(panel.start + o + h, disruptions)
    ordinary &= ~disrupted_window(panel.start + o, disruptions)
    # A short history may hold no ordinary (origin, horizon) pair at some horizon: then calibrate on
    # every pair rather than leave that horizon without a quantile.
    if np.isin(np.arange(1, H + 1), h[ordinary]).all():
        ok = ordinary
    return i[ok], o[ok], h[ok]


def mase_weights(panel: Panel, scale: np.ndarray, i: np.ndarray, o: np.ndarray) -> np.ndarray:
    """Origin scale ÷ MASE scale at the origin, so that the scaled L1 loss is MASE's; clipped to
    [0.1, 10] × the median so that a nearly constant series cannot dominate the fit."""
    ms = mase_scale_at_origin(panel.values)[i, o]
    w = scale[i, o] / ms
    med = np.nanmedian(w) if np.isfinite(w).any() else 1.0
    w = np.where(np.isfinite(w) & (w > 0), w, med)
    return np.clip(w, 0.1 * med, 10 * med) / med
