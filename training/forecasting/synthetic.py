"""Small synthetic monthly panels (trend × seasonality × noise) for tests, benchmarks and demos.

Not the market simulator: a controlled stand-in whose properties are known, so accuracy and coverage
checks have something stable to measure against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def synthetic_panel(
    n_series: int = 40,
    n_months: int = 96,
    *,
    seed: int = 0,
    start: str = "2016-01-01",
    short_fraction: float = 0.1,
    noise: float = 0.05,
    hierarchy: bool = False,
) -> pd.DataFrame:
    """Long frame ``unique_id, ds, y`` (+ ``segment, industry, zone`` when ``hierarchy``).

    Levels span two orders of magnitude; each series has its own trend, seasonal amplitude and phase, a
    Spring-Festival dip, and AR(1) multiplicative noise. ``short_fraction`` of the series start late
    (only 8–30 months of history): they are missing before, not zero.
    """
    rng = np.random.default_rng(seed)
    ds = pd.date_range(start, periods=n_months, freq="MS")
    t = np.arange(n_months)
    month = ds.month.to_numpy()
    frames = []
    for s in range(n_series):
        level = np.exp(rng.uniform(np.log(20), np.log(2000)))
        slope = rng.uniform(-0.004, 0.012)
        amp = rng.uniform(0.05, 0.3)
        phase = rng.uniform(0, 2 * np.pi)
        season = 1 + amp * np.sin(2 * np.pi * t / 12 + phase) - 0.1 * (month == 2)
        eps = np.zeros(n_months)
        for k in range(1, n_months):
            eps[k] = 0.5 * eps[k - 1] + rng.normal(0, noise)
        y = level * np.exp(slope * t) * season * np.exp(eps)
        if rng.random() < short_fraction:
            y[: n_months - int(rng.integers(8, 31))] = np.nan
        f = pd.DataFrame({"unique_id": f"s{s:04d}", "ds": ds, "y": np.round(y, 3)})
        if hierarchy:
            f["segment"] = f"seg{s % 6}"
            f["industry"] = f"ind{(s % 6) // 3}"
            f["zone"] = f"zone{s % 2}"
        frames.append(f.dropna(subset=["y"]))
    return pd.concat(frames, ignore_index=True)
