"""Split-conformal interval half-widths per horizon, on scaled absolute residuals.

Residuals are divided by the series' scale at the forecast origin before pooling, so one set of
quantiles serves series of any size; the half-width for a forecast is ``q[h] * scale``. Because the
transform is applied identically at calibration and prediction time, the coverage guarantee carries
over (PITFALLS: check coverage after the transform — the backtest reports it).
"""

from __future__ import annotations

import math

import numpy as np

from models.forecasting.frames import LEVELS


def conformal_quantile(scores: np.ndarray, level: float) -> float:
    """The ``ceil((n+1)·level)``-th smallest score (finite-sample split-conformal); max if n is too small."""
    scores = np.sort(np.asarray(scores, dtype=np.float64)[np.isfinite(scores)])
    n = len(scores)
    if n == 0:
        return math.nan
    k = min(math.ceil((n + 1) * level / 100.0), n)
    return float(scores[k - 1])


def horizon_quantiles(scores: np.ndarray, h: np.ndarray, horizon: int) -> dict[int, np.ndarray]:
    """Per-horizon conformal quantiles for each level in ``LEVELS``: ``{80: (H,), 95: (H,)}``.

    A horizon without scores borrows the nearest shorter one. Quantiles are made non-decreasing in h
    (a later month is never more certain) and the 95% one never narrower than the 80% one.
    """
    out: dict[int, np.ndarray] = {}
    for level in LEVELS:
        q = np.array([conformal_quantile(scores[h == k], level) for k in range(1, horizon + 1)])
        q = _fill_forward(q)
        out[level] = np.maximum.accumulate(q)
    out[95] = np.maximum(out[95], out[80])
    return out


def _fill_forward(q: np.ndarray) -> np.ndarray:
    q = q.copy()
    last = next((v for v in q if np.isfinite(v)), 0.0)
    for k in range(len(q)):
        if np.isfinite(q[k]):
            last = q[k]
        else:
            q[k] = last
    return q
