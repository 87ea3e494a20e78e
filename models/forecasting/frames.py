"""Long-format frames (``unique_id, ds, y``) in and out of the forecasters, and their wide twin.

Every forecaster validates its input here, once, with typed errors. Internally series live in a wide
``float64`` matrix ``(n_series, n_months)`` on one shared monthly calendar: a missing month is ``NaN``,
never zero (an occupation that did not exist yet has no demand figure, not a demand of zero).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.errors import InvalidInput

ID, DS, Y = "unique_id", "ds", "y"
OUTPUT_COLUMNS = [ID, DS, "mean", "lo80", "hi80", "lo95", "hi95"]
LEVELS = (80, 95)


def month_index(ds: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Months since 1970-01 as int64 (a calendar month is one integer step)."""
    d = pd.DatetimeIndex(ds)
    return (d.year.to_numpy(np.int64) - 1970) * 12 + d.month.to_numpy(np.int64) - 1


def month_start(idx: np.ndarray | int) -> pd.DatetimeIndex:
    """Inverse of :func:`month_index`: the first day of each month."""
    idx = np.atleast_1d(np.asarray(idx, dtype=np.int64))
    years, months = 1970 + idx // 12, idx % 12 + 1
    return pd.DatetimeIndex(pd.to_datetime({"year": years, "month": months, "day": 1}))


def validate_long(df: pd.DataFrame, *, target: str = Y, required: tuple[str, ...] = ()) -> pd.DataFrame:
    """Check a long monthly frame and return a clean copy with ``ds`` as month-start timestamps.

    Raises InvalidInput for missing columns, unparseable or non-month-start dates, duplicate
    ``(unique_id, ds)``, non-numeric or infinite targets. ``NaN`` targets are kept (missing months).
    """
    if not isinstance(df, pd.DataFrame):
        raise InvalidInput(f"expected a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in (ID, DS, target, *required) if c not in df.columns]
    if missing:
        raise InvalidInput(
            f"missing column(s) {missing}; a long-format frame needs {[ID, DS, target, *required]}",
            field=missing[0],
        )
    if df.empty:
        raise InvalidInput("the frame has no rows", field=target)
    out = df.copy()
    out[ID] = out[ID].astype(str)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # per-element parsing is fine; bad values raise
            ds = pd.to_datetime(out[DS])
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"column 'ds' holds values that are not dates: {exc}", field=DS) from exc
    if ds.isna().any():
        raise InvalidInput("column 'ds' has empty dates", field=DS)
    if getattr(ds.dt, "tz", None) is not None:
        ds = ds.dt.tz_localize(None)
    not_monthly = (ds.dt.day != 1) | (ds.dt.normalize() != ds)
    if not_monthly.any():
        bad = ds[not_monthly].iloc[0]
        raise InvalidInput(
            f"dates must be monthly, on the first day of the month (e.g. 2024-03-01); found {bad.date()}",
            field=DS,
        )
    out[DS] = ds
    dup = out.duplicated([ID, DS])
    if dup.any():
        row = out.loc[dup, [ID, DS]].iloc[0]
        raise InvalidInput(
            f"duplicate (unique_id, ds): ({row[ID]!r}, {row[DS].date()}) appears more than once",
            field=DS,
        )
    try:
        y = pd.to_numeric(out[target], errors="raise").astype(np.float64)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"column {target!r} must be numeric: {exc}", field=target) from exc
    if np.isinf(y).any():
        raise InvalidInput(f"column {target!r} has infinite values", field=target)
    out[target] = y
    empty = out.groupby(ID)[target].count()
    if (empty == 0).any():
        raise InvalidInput(
            f"series {empty[empty == 0].index[0]!r} has no observed value of {target!r}", field=target
        )
    return out.sort_values([ID, DS], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class Panel:
    """Series on one shared monthly calendar: ``values[i, j]`` is series ``ids[i]`` at month ``start + j``."""

    ids: np.ndarray  # (n,) str
    start: int  # month index of column 0
    values: np.ndarray  # (n, T) float64, NaN = not observed

    @property
    def end(self) -> int:
        """Month index of the last column (the forecast origin)."""
        return self.start + self.values.shape[1] - 1

    @property
    def n_obs(self) -> np.ndarray:
        return np.isfinite(self.values).sum(axis=1)


def to_panel(df: pd.DataFrame, column: str = Y, ids: np.ndarray | None = None) -> Panel:
    """Pivot a validated long frame to a :class:`Panel` (missing months become NaN)."""
    m = month_index(df[DS])
    start, end = int(m.min()), int(m.max())
    if ids is None:
        ids = np.asarray(sorted(df[ID].unique()), dtype=object)
    row = pd.Index(ids).get_indexer(df[ID])
    keep = row >= 0
    values = np.full((len(ids), end - start + 1), np.nan)
    values[row[keep], m[keep] - start] = df[column].to_numpy(np.float64)[keep]
    return Panel(ids=np.asarray(ids, dtype=object), start=start, values=values)


def numeric_panel(df: pd.DataFrame, column: str, ids: np.ndarray) -> np.ndarray:
    """The wide matrix of an exogenous column, rows in ``ids`` order; InvalidInput if not numeric."""
    try:
        df = df.assign(**{column: pd.to_numeric(df[column]).astype(np.float64)})
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"exogenous column {column!r} must be numeric: {exc}", field=column) from exc
    return to_panel(df, column, ids).values


def series_codes(df: pd.DataFrame, columns: tuple[str, ...], ids: np.ndarray) -> np.ndarray:
    """Integer code of each series' value of ``columns`` (joined), in ``ids`` order."""
    key = df.groupby(ID)[list(columns)].first().astype(str).agg("|".join, axis=1).reindex(ids)
    return pd.Index(sorted(key.unique())).get_indexer(key)


def forecast_frame(
    ids: np.ndarray, origin: int, mean: np.ndarray, half80: np.ndarray, half95: np.ndarray, *, clip0: bool
) -> pd.DataFrame:
    """Build the output frame from ``(n, h)`` arrays of means and interval half-widths.

    Symmetric half-widths with ``half95 >= half80 >= 0`` give lo95 <= lo80 <= mean <= hi80 <= hi95;
    clipping at zero (counts) keeps that order because it is monotone.
    """
    n, h = mean.shape
    lo80, hi80, lo95, hi95 = mean - half80, mean + half80, mean - half95, mean + half95
    cols = [mean, lo80, hi80, lo95, hi95]
    if clip0:
        cols = [np.maximum(c, 0.0) for c in cols]
    out = pd.DataFrame(
        {
            ID: np.repeat(np.asarray(ids, dtype=object), h),
            DS: np.tile(month_start(origin + 1 + np.arange(h)), n),
        }
    )
    for name, c in zip(OUTPUT_COLUMNS[2:], cols, strict=True):
        out[name] = c.reshape(-1)
    return out


def check_horizon(h: object, limit: int | None = None) -> int:
    if isinstance(h, bool) or not isinstance(h, int | np.integer) or h < 1:
        raise InvalidInput(f"horizon must be a positive integer, got {h!r}", field="horizon")
    if limit is not None and h > limit:
        raise InvalidInput(
            f"horizon {h} exceeds the horizon {limit} the model was fitted for", field="horizon"
        )
    return int(h)
