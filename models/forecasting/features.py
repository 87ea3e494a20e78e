"""Features of the global model, computed for (series, origin, horizon) triples of a wide panel.

Direct multi-horizon design: a row says "standing at origin month ``o`` (the cut-off), predict month
``t = o + h``". Every value-derived feature reads the series at months ``<= o`` only and is divided by the
series' scale *at the origin* (mean |y| over the 12 months up to ``o``), so nothing after the cut-off can
reach a row — the property ``tests/models/forecasting/test_no_leakage.py`` pins. Features about the
target month itself are calendar facts and exogenous inputs marked *known at cut-off*; inputs not known
at cut-off enter at their value at the origin.

Names are derived deterministically from the parameters, as mlforecast does
(``lag1``, ``rolling_mean_lag1_window_size12``, ``same_month_y1``, ``month``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from models.forecasting.programmes import PROGRAMME_RAMP, ProgrammeInputs

LOOKBACK = 36  # months of history any feature may read; the artifact keeps this much
SCALE_WINDOW = 12


@lru_cache(maxsize=1)
def spring_festival_months() -> frozenset[int]:
    """Month indices (see ``frames.month_index``) that contain Chinese New Year's day (春节), 1950–2099."""
    from lunardate import LunarDate

    out = set()
    for year in range(1950, 2100):
        d = LunarDate(year, 1, 1).to_solar_date()
        out.add((d.year - 1970) * 12 + d.month - 1)
    return frozenset(out)


POOL_INPUTS = ("pool_share", "pool_total")
POOL_FEATURES = (
    "pool_level3",
    "pool_level12",
    "pool_same_month_y1",
    "pool_same_month_y1_x_growth",
    "pool_same_month_y1_x_growth_3",
)

SPRING_FESTIVAL_BEFORE, SPRING_FESTIVAL_AFTER = 7, 15  # days: the holiday's reach on hiring


@lru_cache(maxsize=1)
def spring_festival_share() -> tuple[int, np.ndarray]:
    """Share of each month's days inside [春节 − 7 days, 春节 + 15 days), 1950–2099, and month index 0.

    A calendar fact known years ahead: the festival's trough falls in January in some years, in February
    in others, and splits across both in many (``spring_festival`` only says which month holds the day).
    """
    import datetime as dt

    from lunardate import LunarDate

    first = (1950 - 1970) * 12
    share = np.zeros((2100 - 1950) * 12 + 2)
    for year in range(1950, 2100):
        d = LunarDate(year, 1, 1).to_solar_date()
        lo, hi = d - dt.timedelta(days=SPRING_FESTIVAL_BEFORE), d + dt.timedelta(days=SPRING_FESTIVAL_AFTER)
        day = lo
        while day < hi:
            share[(day.year - 1970) * 12 + day.month - 1 - first] += 1
            day += dt.timedelta(days=1)
    months = np.arange(len(share)) + first
    years, mon = 1970 + months // 12, months % 12 + 1
    pairs = zip(years.tolist(), mon.tolist(), strict=True)
    days = np.array([(dt.date(y + (m == 12), m % 12 + 1, 1) - dt.date(y, m, 1)).days for y, m in pairs])
    return first, share / days


def _festival(month: np.ndarray) -> np.ndarray:
    first, share = spring_festival_share()
    k = np.clip(month - first, 0, len(share) - 1)
    return share[k]


@dataclass(frozen=True)
class FeatureSpec:
    """Which features to build; the single source of the feature names."""

    lags: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 9, 12)
    windows: tuple[int, ...] = (3, 6, 12)
    known_exog: tuple[str, ...] = ()
    unknown_exog: tuple[str, ...] = ()
    static: tuple[str, ...] = ()
    disruptions: tuple[int, ...] = ()  # month indices of known disruptions (lockdowns), a calendar fact
    pooled: bool = False  # level and season read off the series' pool (see :func:`pool_inputs`)
    # unknown inputs (a group's share deviations, :func:`group_share`) that carry the pooled level back to
    # the group's long-run share: ``pool_level3_at_{c}`` and ``pool_same_month_y1_x_growth_at_{c}``
    share_levels: tuple[str, ...] = ()
    programmes: bool = False  # phase-in of the announced policy programmes (:mod:`programmes`)
    names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = ["horizon", "month", "spring_festival", "log_scale", "n_obs_36"]
        names += ["spring_festival_share", "spring_festival_share_y1"]
        names += [f"lag{k}" for k in self.lags]
        names += ["same_month_y1", "same_month_y2"]
        names += [f"rolling_mean_lag1_window_size{w}" for w in self.windows]
        names += ["rolling_std_lag1_window_size12", "rolling_mean_lag13_window_size12"]
        names += ["growth_12", "same_month_y1_x_growth"]
        names += ["growth_3", "growth_6", "same_month_y1_x_growth_3"]
        names += [f"rolling_mean_lag1_window_size{w}_x_growth" for w in self.windows if w >= 24]
        if self.disruptions:
            names += ["disrupted_same_month_y1", "disrupted_months_window12"]
        if self.pooled:
            names += list(POOL_FEATURES)
            for c in self.share_levels:
                names += [f"pool_level3_at_{c}", f"pool_same_month_y1_x_growth_at_{c}"]
        if self.programmes:
            names += [PROGRAMME_RAMP, f"{PROGRAMME_RAMP}_change"]
        names += list(self.known_exog)
        names += [f"{c}_change" for c in self.known_exog]
        names += [f"{c}_lag1" for c in self.unknown_exog]
        names += [f"static_{c}" for c in self.static]
        object.__setattr__(self, "names", tuple(names))

    @property
    def categorical(self) -> list[str]:
        return ["month", *[f"static_{c}" for c in self.static]]

    @property
    def inputs(self) -> tuple[str, ...]:
        """Every ``(n, T)`` input matrix besides the series itself that the features read."""
        return (*self.known_exog, *self.unknown_exog, *(POOL_INPUTS if self.pooled else ()))

    def exogenous(self) -> dict[str, str]:
        """For the card: each exogenous input and how it enters (at the target month, or at the origin)."""
        out = {c: "known at cut-off: value at the target month" for c in self.known_exog}
        out.update({c: "not known at cut-off: value at the origin" for c in self.unknown_exog})
        return out


def origin_scale(values: np.ndarray, fallback: np.ndarray | None = None) -> np.ndarray:
    """Scale of each series at each origin: mean |y| over the last 12 months up to and including it.

    Falls back to the last 36 months, then to ``fallback`` (per series), then NaN. Zero becomes 1 so that
    an all-zero series scales to itself. Shape ``(n, T)``; column ``o`` reads only columns ``<= o``.
    """
    a = np.abs(values)
    out = rolling_mean(a, SCALE_WINDOW)
    wide = rolling_mean(a, LOOKBACK)
    out = np.where(np.isfinite(out), out, wide)
    if fallback is not None:
        out = np.where(np.isfinite(out), out, fallback[:, None])
    return np.where(out == 0, 1.0, out)


def mase_scale_at_origin(values: np.ndarray, season: int = 12) -> np.ndarray:
    """MASE's denominator as it stood at each origin: mean |y_t − y_{t−m}| over observed pairs, t ≤ o.

    Shape ``(n, T)``, NaN until the first pair; column ``o`` reads only columns ``<= o``. Dividing a
    row's loss by it (relative to the origin scale) makes training minimise the metric that is reported.
    """
    d = np.full(values.shape, np.nan)
    if values.shape[1] > season:
        d[:, season:] = np.abs(values[:, season:] - values[:, :-season])
    ok = np.isfinite(d)
    s = np.cumsum(np.where(ok, d, 0.0), axis=1)
    c = np.cumsum(ok, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(c > 0, s / np.maximum(c, 1), np.nan)


def _prefix(values: np.ndarray, power: int = 1) -> tuple[np.ndarray, np.ndarray]:
    ok = np.isfinite(values)
    v = np.where(ok, values, 0.0) ** power
    n = values.shape[0]
    s = np.concatenate([np.zeros((n, 1)), np.cumsum(v, axis=1)], axis=1)
    c = np.concatenate([np.zeros((n, 1)), np.cumsum(ok, axis=1)], axis=1)
    return s, c


def rolling_mean(values: np.ndarray, w: int) -> np.ndarray:
    s, c = _prefix(values)
    T = values.shape[1]
    hi = np.arange(1, T + 1)
    lo = np.maximum(hi - w, 0)
    cnt = c[:, hi] - c[:, lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, (s[:, hi] - s[:, lo]) / np.maximum(cnt, 1), np.nan)


def _take(values: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    ok = (j >= 0) & (j < values.shape[1])
    out = np.full(len(i), np.nan)
    out[ok] = values[i[ok], j[ok]]
    return out


def _window(prefix: tuple[np.ndarray, np.ndarray], i, o, w: int, lag: int = 1):
    """Sum and count over months ``o-lag-w+2 .. o-lag+1`` (lag1 window ends at the origin)."""
    s, c = prefix
    hi = np.clip(o - lag + 2, 0, s.shape[1] - 1)
    lo = np.clip(hi - w, 0, None)
    return s[i, hi] - s[i, lo], c[i, hi] - c[i, lo]


def build_features(
    spec: FeatureSpec,
    values: np.ndarray,
    scale: np.ndarray,
    start: int,
    i: np.ndarray,
    o: np.ndarray,
    h: np.ndarray,
    *,
    exog: dict[str, np.ndarray] | None = None,
    static_codes: dict[str, np.ndarray] | None = None,
    programmes: ProgrammeInputs | None = None,
) -> np.ndarray:
    """Feature matrix ``(len(i), len(spec.names))`` float32 for rows (series i, origin column o, horizon h).

    ``values`` is the ``(n, T)`` panel (NaN = missing) starting at month index ``start``; ``scale`` comes
    from :func:`origin_scale` on the same panel. ``exog[name]`` is an ``(n, T')`` matrix on the same
    calendar, ``T' >= max(o + h) + 1`` for known-at-cut-off inputs. Only columns ``<= o`` of ``values``
    and of unknown exogenous inputs are read.
    """
    i = np.asarray(i, dtype=np.int64)
    o = np.asarray(o, dtype=np.int64)
    h = np.asarray(h, dtype=np.int64)
    t = o + h
    s = scale[i, o]
    target_month = start + t
    sf = np.fromiter(spring_festival_months(), dtype=np.int64)
    p1 = _prefix(values)
    f: dict[str, np.ndarray] = {
        "horizon": h.astype(np.float64),
        "month": (target_month % 12 + 1).astype(np.float64),
        "spring_festival": np.isin(target_month, sf).astype(np.float64),
        "log_scale": np.log1p(s),
        "n_obs_36": _window(p1, i, o, LOOKBACK)[1].astype(np.float64),
        "spring_festival_share": _festival(target_month),
    }
    for k in spec.lags:
        f[f"lag{k}"] = _take(values, i, o + 1 - k) / s
    back = 12 * ((h + 11) // 12)  # the latest same calendar month at or before the origin
    f["same_month_y1"] = _take(values, i, t - back) / s
    f["same_month_y2"] = _take(values, i, t - back - 12) / s
    f["spring_festival_share_y1"] = _festival(target_month - back)
    with np.errstate(invalid="ignore", divide="ignore"):
        for w in (*spec.windows, 12):
            sm, cn = _window(p1, i, o, w)
            f[f"rolling_mean_lag1_window_size{w}"] = np.where(cn > 0, sm / np.maximum(cn, 1), np.nan) / s
        sm, cn = _window(p1, i, o, 12)
        sq, _ = _window(_prefix(values, 2), i, o, 12)
        mean = sm / np.maximum(cn, 1)
        var = np.maximum(sq / np.maximum(cn, 1) - mean**2, 0.0)
        f["rolling_std_lag1_window_size12"] = (
            np.where(cn > 1, np.sqrt(var * cn / np.maximum(cn - 1, 1)), np.nan) / s
        )
        sm, cn = _window(p1, i, o, 12, lag=13)
        prev = np.where(cn > 0, sm / np.maximum(cn, 1), np.nan) / s
        f["rolling_mean_lag13_window_size12"] = prev
        # Trees split but do not multiply: give them last year's same month carried by the trend.
        growth = np.where(prev > 0, f["rolling_mean_lag1_window_size12"] / prev, np.nan)
        f["growth_12"] = growth - 1.0
        f["same_month_y1_x_growth"] = f["same_month_y1"] * growth ** ((h + 11) // 12)
        # Level shifts: the last quarter (half-year) against the same months a year before.
        for w in (3, 6):
            now, cn_now = _window(p1, i, o, w)
            before, cn_before = _window(p1, i, o, w, lag=13)
            ok = (cn_now == w) & (cn_before == w) & (before > 0)
            f[f"growth_{w}"] = np.where(ok, now / np.where(ok, before, 1.0), np.nan) - 1.0
        f["same_month_y1_x_growth_3"] = f["same_month_y1"] * (1.0 + f["growth_3"])
        # A long mean is a less noisy level, but it is centred (w − 1)/2 months before the origin: carry it
        # to the target month by the 12-month growth (per month: growth ** (1/12)).
        for w in spec.windows:
            if w >= 24:
                monthly = np.where(growth > 0, growth, np.nan) ** (1.0 / 12.0)
                lead = (w - 1) / 2.0 + h
                f[f"rolling_mean_lag1_window_size{w}_x_growth"] = (
                    f[f"rolling_mean_lag1_window_size{w}"] * monthly**lead
                )
    if spec.disruptions:
        bad = np.zeros(values.shape[1] + LOOKBACK + 1)
        cols = np.asarray(spec.disruptions, dtype=np.int64) - start
        bad[cols[(cols >= 0) & (cols < len(bad))]] = 1.0
        cum = np.concatenate([[0.0], np.cumsum(bad)])
        j = np.clip(t - back, 0, len(bad) - 1)
        f["disrupted_same_month_y1"] = np.where(t - back >= 0, bad[j], 0.0)
        hi = np.clip(o + 1, 0, len(bad))
        f["disrupted_months_window12"] = cum[hi] - cum[np.clip(hi - 12, 0, None)]
    exog = exog or {}
    if spec.pooled:
        f.update(_pool_features(exog["pool_share"], exog["pool_total"], i, o, h, back, s))
        # Trees do not multiply: the pooled level as it would stand at the group's long-run share.
        for c in spec.share_levels:
            back_to_share = np.exp(-_take(exog[c], i, o))
            f[f"pool_level3_at_{c}"] = f["pool_level3"] * back_to_share
            f[f"pool_same_month_y1_x_growth_at_{c}"] = f["pool_same_month_y1_x_growth"] * back_to_share
    if spec.programmes:
        # As announced at the origin: at the target month, and its change since the origin.
        ramp_at = programmes.phase_in(i, start + o, start + t)
        f[PROGRAMME_RAMP] = ramp_at
        f[f"{PROGRAMME_RAMP}_change"] = ramp_at - programmes.phase_in(i, start + o, start + o)
    for c in spec.known_exog:
        f[c] = _take(exog[c], i, t)
        # What the input does over the horizon: the lags already carry its effect up to the origin.
        f[f"{c}_change"] = f[c] - _take(exog[c], i, o)
    for c in spec.unknown_exog:
        f[f"{c}_lag1"] = _take(exog[c], i, o)
    static_codes = static_codes or {}
    for c in spec.static:
        f[f"static_{c}"] = static_codes[c][i].astype(np.float64)
    return np.column_stack([f[n] for n in spec.names]).astype(np.float32)


def _pool_features(share, total, i, o, h, back, s) -> dict[str, np.ndarray]:
    """Share × pool level and share × pool's same month last year (carried by the pool's growth)."""
    sh = share[i, o] / s
    m3, m12 = rolling_mean(total, 3), rolling_mean(total, 12)
    with np.errstate(invalid="ignore", divide="ignore"):
        g12 = _take(m12, i, o) / _take(m12, i, o - 12)
        g3 = _take(m3, i, o) / _take(m3, i, o - 12)
        same = sh * _take(total, i, o + h - back)
        return {
            "pool_level3": sh * _take(m3, i, o),
            "pool_level12": sh * _take(m12, i, o),
            "pool_same_month_y1": same,
            "pool_same_month_y1_x_growth": same * np.where(g12 > 0, g12, np.nan) ** ((h + 11) // 12),
            "pool_same_month_y1_x_growth_3": same * np.where(g3 > 0, g3, np.nan),
        }
