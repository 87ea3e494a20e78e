"""The two baselines always reported beside the global model, with the same fit/predict API.

* ``SeasonalNaive`` (``seasonal_naive``): the same month last year; falls back to naive (last value),
  then to the mean, per series, and records which was used in ``method_``.
* ``AutoETSForecaster`` (``auto_ets``): statsforecast's AutoETS, seasonal (m = 12) where a series has
  at least three years of data, non-seasonal from ``MIN_ETS`` months, else the seasonal-naive chain —
  statsforecast crashes or silently misbehaves on tiny series (PITFALLS, statsforecast #677/#657).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.forecasting.base import Forecaster
from models.forecasting.frames import (
    DS,
    ID,
    OUTPUT_COLUMNS,
    Panel,
    check_horizon,
    forecast_frame,
    month_index,
    month_start,
    to_panel,
    validate_long,
)

Z = {80: 1.2815515655446004, 95: 1.959963984540054}
SEASON = 12
MIN_ETS = 8
MIN_SEASONAL_ETS = 3 * SEASON


def _seasonal_naive_arrays(values: np.ndarray, h: int, season: int = SEASON):
    """Means, sigmas ``(n, h)`` and the method used per series, all for the origin = last column."""
    n, T = values.shape
    steps = np.arange(1, h + 1)
    ok = np.isfinite(values)
    mean = np.full((n, h), np.nan)
    sigma = np.full((n, h), np.nan)
    method = np.empty(n, dtype=object)

    last_season = ok[:, -season:].all(axis=1) if T >= season else np.zeros(n, bool)
    last_obs = ok[:, -1]
    for idx in range(n):
        v = values[idx]
        if last_season[idx]:
            mean[idx] = v[T - season + (steps - 1) % season]
            r = v[season:] - v[:-season]
            k = (steps - 1) // season + 1
            sigma[idx] = _rms(r) * np.sqrt(k)
            method[idx] = "seasonal_naive"
        elif last_obs[idx]:
            mean[idx] = v[-1]
            sigma[idx] = _rms(np.diff(v)) * np.sqrt(steps)
            method[idx] = "naive"
        else:
            obs = v[ok[idx]]
            mean[idx] = obs.mean()
            sigma[idx] = _rms(obs - obs.mean()) * np.sqrt(1 + 1 / len(obs))
            method[idx] = "mean"
    # Too few residuals for a sigma: borrow the median relative sigma of the other series.
    level = np.abs(mean[:, :1])
    rel = sigma[:, 0] / np.where(level[:, 0] > 0, level[:, 0], 1.0)
    pooled = np.nanmedian(rel) if np.isfinite(rel).any() else 0.1
    bad = ~np.isfinite(sigma[:, 0])
    sigma[bad] = pooled * np.maximum(level[bad], 1.0) * np.sqrt(steps)[None, :]
    return mean, sigma, method


def _rms(r: np.ndarray) -> float:
    r = r[np.isfinite(r)]
    return float(np.sqrt(np.mean(r**2))) if len(r) >= 2 else np.nan


class SeasonalNaive(Forecaster):
    """Same month last year, with Normal intervals from in-sample seasonal differences (FPP §5.5).

    ``method_`` maps each series to the method actually used: seasonal_naive, naive or mean.
    """

    name = "seasonal_naive"

    def __init__(self, horizon: int = 12, season_length: int = SEASON):
        self.horizon = horizon
        self.season_length = season_length

    def fit(self, df: pd.DataFrame) -> SeasonalNaive:
        H = check_horizon(self.horizon)
        df = validate_long(df)
        panel = to_panel(df)
        mean, sigma, method = _seasonal_naive_arrays(panel.values, H, self.season_length)
        self.panel_end_ = panel.end
        self.ids_ = panel.ids
        self.mean_, self.sigma_ = mean, sigma
        self.method_ = pd.Series(method, index=panel.ids, name="method")
        self.clip_nonnegative_ = bool(np.nanmin(panel.values) >= 0)
        return self

    def predict(self, h: int | None = None, X_future: pd.DataFrame | None = None) -> pd.DataFrame:
        self.check_is_fitted()
        h = check_horizon(self.horizon if h is None else h, self.horizon)
        s = self.sigma_[:, :h]
        return forecast_frame(
            self.ids_, self.panel_end_, self.mean_[:, :h], Z[80] * s, Z[95] * s, clip0=self.clip_nonnegative_
        )


class AutoETSForecaster(Forecaster):
    """statsforecast AutoETS per series with a documented fallback chain; ``method_`` records it."""

    name = "auto_ets"

    def __init__(self, horizon: int = 12, season_length: int = SEASON, model: str = "ZZZ", n_jobs: int = 1):
        self.horizon = horizon
        self.season_length = season_length
        self.model = model
        self.n_jobs = n_jobs

    def fit(self, df: pd.DataFrame) -> AutoETSForecaster:
        H = check_horizon(self.horizon)
        df = validate_long(df)
        panel = to_panel(df)
        n, T = panel.values.shape
        mean, sigma, method = _seasonal_naive_arrays(panel.values, H, self.season_length)
        half = {lv: Z[lv] * sigma for lv in Z}
        first = np.argmax(np.isfinite(panel.values), axis=1)
        n_span = T - first  # months from the first observation to the shared origin
        seasonal = n_span >= MIN_SEASONAL_ETS
        plain = (n_span >= MIN_ETS) & ~seasonal
        for mask, m, label in (
            (seasonal, self.season_length, "auto_ets"),
            (plain, 1, "auto_ets_nonseasonal"),
        ):
            if mask.any():
                fc = self._ets(panel, np.flatnonzero(mask), first, H, m, self._space(m), self.n_jobs)
                rows = np.flatnonzero(mask)
                mean[rows] = fc["mean"]
                half[80][rows], half[95][rows] = fc[80], fc[95]
                method[rows] = label
        self.panel_end_, self.ids_ = panel.end, panel.ids
        self.mean_, self.half_ = mean, half
        self.method_ = pd.Series(method, index=panel.ids, name="method")
        self.clip_nonnegative_ = bool(np.nanmin(panel.values) >= 0)
        return self

    def _space(self, m: int) -> str:
        """The model string for season length ``m``: a non-seasonal fit cannot take a seasonal component."""
        spec = str(self.model).upper()
        if len(spec) not in (3, 4) or m > 1:
            return spec
        return spec[:-1] + "N"

    @staticmethod
    def _ets(
        panel: Panel, rows: np.ndarray, first: np.ndarray, H: int, m: int, spec: str, n_jobs: int
    ) -> dict:
        """Forecasts from the shared origin; internal gaps are interpolated linearly (ETS takes no NaN)."""
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, Naive

        frames = []
        for r in rows:
            y = pd.Series(panel.values[r, first[r] :]).interpolate(limit_direction="both").to_numpy()
            frames.append(
                pd.DataFrame(
                    {
                        "unique_id": r,
                        "ds": month_start(panel.start + first[r] + np.arange(len(y))),
                        "y": y,
                    }
                )
            )
        long = pd.concat(frames, ignore_index=True)
        sf = StatsForecast(
            models=[AutoETS(season_length=m, model=spec)], freq="MS", n_jobs=n_jobs, fallback_model=Naive()
        )
        fc = sf.forecast(df=long, h=H, level=[80, 95])
        fc = fc.sort_values(["unique_id", "ds"])
        k = len(rows)
        get = lambda c: fc[c].to_numpy(np.float64).reshape(k, H)  # noqa: E731
        mean = get("AutoETS")
        return {"mean": mean, 80: get("AutoETS-hi-80") - mean, 95: get("AutoETS-hi-95") - mean}

    def predict(self, h: int | None = None, X_future: pd.DataFrame | None = None) -> pd.DataFrame:
        self.check_is_fitted()
        h = check_horizon(self.horizon if h is None else h, self.horizon)
        return forecast_frame(
            self.ids_,
            self.panel_end_,
            self.mean_[:, :h],
            self.half_[80][:, :h],
            self.half_[95][:, :h],
            clip0=self.clip_nonnegative_,
        )


__all__ = ["SeasonalNaive", "AutoETSForecaster", "OUTPUT_COLUMNS", "DS", "ID", "month_index"]
