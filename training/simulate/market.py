"""Monthly demand and supply per series, from a ``World`` (equations in docs/simulator.md).

Everything is a [series × month] array; the only Python loops run over months (for the lagged supply
and the AR(1) process) or over episodes and programmes, never over rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from training.simulate.calendar import (
    DEMAND_MONTH_FACTOR,
    GRADUATE_MONTH_PATTERN,
    graduate_index,
    month_labels,
    parse_month,
    spring_festival_share,
)
from training.simulate.world import SHORTAGE_THRESHOLD, World

SUPPLY_LAG_MONTHS = 6  # job seekers follow demand with this delay …
SUPPLY_HALF_LIFE_MONTHS = 10  # … smoothed over this half-life
OCCUPATION_AR = 0.96  # persistence of each occupation's idiosyncratic demand
OCCUPATION_AR_SD = 0.035
FESTIVAL_DEMAND_DROP = 0.70  # share of demand lost in festival days
FESTIVAL_SUPPLY_DROP = 0.30
POSTINGS_DISPERSION = 15.0  # negative-binomial size k: variance = mu + mu^2 / k
SEEKERS_DISPERSION = 25.0
HIRE_RATE = 0.62  # share of min(postings, seekers) hired in a month
WAGE_GROWTH = {2019: 0.07, 2100: 0.045}  # per year: until end of 2019, after
SHORTAGE_WAGE_ELASTICITY = 0.12
DAYS_TO_FILL_ELASTICITY = 0.5

# 2020 epidemic shock (and the 2022 Beijing disruptions): multipliers on demand and supply by month.
DEMAND_SHOCK = {
    "2020-01": 0.92,
    "2020-02": 0.32,
    "2020-03": 0.55,
    "2020-04": 0.68,
    "2020-05": 0.84,
    "2020-06": 0.90,
    "2020-07": 0.94,
    "2020-08": 0.97,
    "2022-05": 0.86,
    "2022-11": 0.88,
    "2022-12": 0.76,
    "2023-01": 0.92,
}
SUPPLY_SHOCK = {
    "2020-02": 0.80,
    "2020-03": 1.12,
    "2020-04": 1.15,
    "2020-05": 1.12,
    "2020-06": 1.08,
    "2022-12": 0.90,
}


def _shock(months: np.ndarray, table: dict[str, float]) -> np.ndarray:
    factor = np.ones(len(months))
    for label, value in table.items():
        factor[months == parse_month(label)] = value
    return factor


def _ema(x: np.ndarray, half_life: float) -> np.ndarray:
    alpha = 1 - 0.5 ** (1 / half_life)
    out = np.empty_like(x)
    out[:, 0] = x[:, 0]
    for t in range(1, x.shape[1]):
        out[:, t] = out[:, t - 1] + alpha * (x[:, t] - out[:, t - 1])
    return out


def _lag(x: np.ndarray, months: int) -> np.ndarray:
    return np.concatenate([np.repeat(x[:, :1], months, axis=1), x[:, :-months]], axis=1)


def _industry_log_trend(world: World) -> np.ndarray:
    """[industry × month]: two growth regimes around a break month plus a sinusoidal cycle."""
    ind, t = world.industry, world.months[None, :].astype(float)
    origin = world.months[world.first_month]
    brk = ind["break_month"][:, None]
    g1, g2 = ind["growth_1"][:, None] / 12, ind["growth_2"][:, None] / 12
    trend = np.where(t <= brk, g1 * (t - origin), g1 * (brk - origin) + g2 * (t - brk))
    cycle = ind["cycle_amplitude"][:, None] * np.sin(
        2 * np.pi * (t - origin) / ind["cycle_period_months"][:, None] + ind["cycle_phase"][:, None]
    )
    return trend + cycle


def _occupation_log_demand(world: World, rng: np.random.Generator) -> np.ndarray:
    """[occupation × month]: AR(1) drift plus hot/cold episodes (trapezoids, 6-month ramps)."""
    n_occ, n_months = len(world.occupation_codes), len(world.months)
    ar = np.empty((n_occ, n_months))
    ar[:, 0] = rng.normal(0, OCCUPATION_AR_SD / np.sqrt(1 - OCCUPATION_AR**2), n_occ)
    shocks = rng.normal(0, OCCUPATION_AR_SD, (n_occ, n_months))
    for t in range(1, n_months):
        ar[:, t] = OCCUPATION_AR * ar[:, t - 1] + shocks[:, t]
    for o, start, length, lift in world.episodes:
        k = world.months - start
        ramp = np.clip(np.minimum((k + 1) / 6, (length - k) / 6), 0, 1)
        ar[o] += lift * ramp
    return ar


def _programme_lift(world: World) -> np.ndarray:
    """[series × month] multiplicative demand lift of policy programmes (1 = none)."""
    lift = np.ones((len(world.series_zone), len(world.months)))
    industry_ix = {c: i for i, c in enumerate(world.industry_codes)}
    segment_ix = {c: i for i, c in enumerate(world.segment_codes)}
    for p in world.programmes:
        if p.segment_code is None:
            hit = world.series_industry == industry_ix[p.industry_code]
        else:
            hit = world.series_segment == segment_ix[p.segment_code]
        ramp = np.clip((world.months - p.start + 1) / p.ramp_months, 0, 1)
        lift[hit] *= 1 + p.lift * ramp[None, :]
    return lift


def expected_paths(world: World, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Noise-free demand, supply, hires, wage and days-to-fill, [series × month], burn-in dropped."""
    months = world.months
    z, i, o = world.series_zone, world.series_industry, world.series_occupation
    years = (months - world.months[world.first_month]) / 12

    programme = _programme_lift(world)
    zone_trend = world.zone["growth"][:, None] * years[None, :]
    log_u = (
        _industry_log_trend(world)[i]
        + _occupation_log_demand(world, rng)[o]
        + zone_trend[z]
        + np.log(programme)
    )
    log_supply_u = _lag(_ema(log_u, SUPPLY_HALF_LIFE_MONTHS), SUPPLY_LAG_MONTHS)
    log_ratio = (
        log_u
        - log_supply_u
        + world.occupation["log_base_ratio"][o][:, None]
        + world.zone["log_tightness"][z][:, None]
    )
    structural_ratio = np.exp(log_ratio)

    festival = spring_festival_share(months)
    month_of_year = months % 12
    seasonal_demand = DEMAND_MONTH_FACTOR[month_of_year] * (1 - FESTIVAL_DEMAND_DROP * festival)
    graduates = GRADUATE_MONTH_PATTERN[month_of_year] * graduate_index(months)
    seasonal_supply = (1 - FESTIVAL_SUPPLY_DROP * festival) * np.where(month_of_year == 2, 1.06, 1.0)

    base = world.series_base_postings[:, None]
    demand = base * np.exp(log_u) * seasonal_demand[None, :] * _shock(months, DEMAND_SHOCK)[None, :]
    supply = (
        base
        * np.exp(log_u - log_ratio)
        * seasonal_supply[None, :]
        * (1 + world.occupation["graduate_lift"][o][:, None] * graduates[None, :])
        * _shock(months, SUPPLY_SHOCK)[None, :]
    )
    ratio = demand / supply

    year = months // 12
    growth = np.where(year <= 2019, WAGE_GROWTH[2019], WAGE_GROWTH[2100])
    wage_index = np.exp(np.cumsum(np.log1p(growth) / 12) - np.log1p(growth[0]) / 12)
    wage_index /= wage_index[world.first_month]
    wage = (
        world.occupation["base_wage"][o][:, None]
        * world.industry["wage_premium"][i][:, None]
        * world.zone["wage_premium"][z][:, None]
        * wage_index[None, :]
        * _ema(structural_ratio, 6) ** SHORTAGE_WAGE_ELASTICITY
    )
    days = (
        world.occupation["base_days_to_fill"][o][:, None]
        * np.clip(ratio, 0.2, None) ** DAYS_TO_FILL_ELASTICITY
        * (1 + 0.35 * festival)[None, :]
    )
    hires = HIRE_RATE * (1 - 0.3 * festival)[None, :] * np.minimum(demand, supply)

    keep = slice(world.first_month, None)
    return {
        "demand": demand[:, keep],
        "supply": supply[:, keep],
        "ratio": ratio[:, keep],
        "structural_ratio": structural_ratio[:, keep],
        "wage": wage[:, keep],
        "days": days[:, keep],
        "hires": hires[:, keep],
        "festival": np.broadcast_to(festival[keep], demand[:, keep].shape),
        "programme_lift": programme[:, keep],
    }


def _neg_binomial(rng: np.random.Generator, mean: np.ndarray, size: float) -> np.ndarray:
    return rng.poisson(mean * rng.gamma(size, 1 / size, mean.shape)).astype(np.int64)


def realise(paths: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Noisy observed values: negative-binomial counts, binomial hires, lognormal wages and durations."""
    postings = _neg_binomial(rng, paths["demand"], POSTINGS_DISPERSION)
    seekers = _neg_binomial(rng, paths["supply"], SEEKERS_DISPERSION)
    rate = HIRE_RATE * (1 - 0.3 * paths["festival"])
    hires = rng.binomial(np.minimum(postings, seekers), rate)
    wage_sd = 0.03 + 0.25 / np.sqrt(postings + 1)
    wage = np.round(paths["wage"] * np.exp(rng.normal(0, 1, postings.shape) * wage_sd), -1)
    wage = np.where(postings > 0, wage, np.nan)
    days_sd = 0.05 + 0.3 / np.sqrt(hires + 1)
    days = np.round(paths["days"] * np.exp(rng.normal(0, 1, hires.shape) * days_sd), 1)
    days = np.where(hires > 0, days, np.nan)
    return {
        "postings": postings,
        "job_seekers": seekers,
        "hires": hires,
        "median_wage_cny": wage,
        "mean_days_to_fill": days,
    }


def missing_mask(n_series: int, n_months: int, n_history: int, rng: np.random.Generator) -> np.ndarray:
    """[series × month] True where a month is not reported: scattered months, gaps, late starters."""
    missing = rng.random((n_series, n_months)) < 0.015
    gap = rng.random(n_series) < 0.05
    gap_start = rng.integers(0, n_history, n_series)
    gap_length = rng.integers(2, 10, n_series)
    late = rng.random(n_series) < 0.03
    late_months = rng.integers(6, 37, n_series)
    t = np.arange(n_months)[None, :]
    missing |= gap[:, None] & (t >= gap_start[:, None]) & (t < (gap_start + gap_length)[:, None])
    missing |= late[:, None] & (t < late_months[:, None])
    missing[:, n_history:] = False  # the future is never "observed" anyway; truth keeps it whole
    return missing


def frame(world: World, paths: dict, observed: dict, missing: np.ndarray, n_history: int) -> pd.DataFrame:
    """The truth table: one row per series and month, observed values next to latent ones."""
    n_series, n_months = paths["demand"].shape
    months = world.months[world.first_month :]
    series = np.repeat(np.arange(n_series), n_months)

    def codes(names, index):
        return pd.Categorical.from_codes(index[series], categories=names).astype(str)

    flat = {key: value.reshape(-1) for key, value in observed.items()}
    return pd.DataFrame(
        {
            "zone_code": codes(world.zone_codes, world.series_zone),
            "segment_code": codes(world.segment_codes, world.series_segment),
            "occupation_code": codes(world.occupation_codes, world.series_occupation),
            "industry_code": codes(world.industry_codes, world.series_industry),
            "month": np.tile(month_labels(months), n_series).astype(str),
            **flat,
            "expected_postings": paths["demand"].reshape(-1).round(4),
            "expected_job_seekers": paths["supply"].reshape(-1).round(4),
            "expected_hires": paths["hires"].reshape(-1).round(4),
            "expected_wage_cny": paths["wage"].reshape(-1).round(2),
            "expected_days_to_fill": paths["days"].reshape(-1).round(3),
            "shortage_index": paths["ratio"].reshape(-1).round(5),
            "structural_shortage_index": paths["structural_ratio"].reshape(-1).round(5),
            "is_short": paths["structural_ratio"].reshape(-1) >= SHORTAGE_THRESHOLD,
            "programme_lift": paths["programme_lift"].reshape(-1).round(5),
            "is_future": np.tile(np.arange(n_months) >= n_history, n_series),
            "observed": ~missing.reshape(-1),
        }
    )


FIELD_MISSING_RATE = 0.004
OBSERVATION_COLUMNS = [
    "zone_code",
    "segment_code",
    "occupation_code",
    "month",
    "postings",
    "job_seekers",
    "hires",
    "median_wage_cny",
    "mean_days_to_fill",
]


def observations(truth: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """What models may see: history only, missing months dropped, a few single fields blanked."""
    seen = truth.loc[truth["observed"] & ~truth["is_future"], OBSERVATION_COLUMNS].reset_index(drop=True)
    for column in OBSERVATION_COLUMNS[4:]:
        blank = rng.random(len(seen)) < FIELD_MISSING_RATE
        values = seen[column]
        if column in ("postings", "job_seekers", "hires"):
            seen[column] = pd.array(np.where(blank, pd.NA, values), dtype="Int64")
        else:
            seen[column] = values.where(~blank)
    return seen
