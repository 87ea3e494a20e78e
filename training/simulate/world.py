"""The hidden state of the simulated labour market, drawn once per seed (see docs/simulator.md).

``draw_world`` lays out the series (zone × segment × occupation) and draws every random structural
parameter: industry growth paths and cycles, zone sizes and tightness, each occupation's base shortage
ratio, demand episodes and policy programmes. ``market.py`` turns a ``World`` into monthly numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.taxonomy import Taxonomy
from training.simulate.calendar import format_month, parse_month

# Covered employment (the policy's clusters, not all 11 M employed in Beijing) and the monthly vacancy rate.
COVERED_EMPLOYMENT = 4_200_000
MONTHLY_POSTING_RATE = 0.022
SHORTAGE_THRESHOLD = 1.5  # structural 求人倍率 at or above which a series counts as short

# Growth per year of an industry's demand in its first regime; unknown codes draw around 3 %.
INDUSTRY_GROWTH = {
    "NIT": 0.07,
    "BIO": 0.06,
    "NEV": 0.10,
    "AIN": 0.10,
    "HTS": 0.05,
    "HTE": 0.05,
    "NMA": 0.04,
    "NEN": 0.05,
    "EEP": 0.03,
    "HEM": 0.03,
    "AER": 0.04,
    "FIN": 0.02,
    "CUL": 0.03,
}
# Relative employment of an industry in Beijing; unknown codes get 0.6.
INDUSTRY_SIZE = {
    "NIT": 2.2,
    "FIN": 1.8,
    "CUL": 1.2,
    "HTS": 1.4,
    "HTE": 1.4,
    "BIO": 0.8,
    "NEV": 0.5,
    "NEN": 0.4,
    "EEP": 0.5,
    "NMA": 0.4,
    "HEM": 0.6,
    "AER": 0.4,
}
# Wage premium of an industry over the occupation's base wage.
INDUSTRY_WAGE_PREMIUM = {"FIN": 1.22, "NIT": 1.12, "AER": 1.05, "BIO": 1.05}
ZONE_KIND_SIZE = {"core_function_zone": 1.6, "new_function_zone": 0.7, "district": 1.0}
ZONE_KIND_GROWTH = {"core_function_zone": 0.01, "new_function_zone": 0.06, "district": 0.0}
ZONE_KIND_WAGE = {"core_function_zone": 1.10, "new_function_zone": 1.00, "district": 0.95}

# Occupation base wage (CNY per month, 2015) and base days-to-fill by typical education.
BASE_WAGE_2015 = {
    "doctorate": 17000,
    "master": 13500,
    "bachelor": 10000,
    "associate": 7000,
    "vocational": 6000,
    "secondary": 5000,
}
BASE_DAYS_TO_FILL = {
    "doctorate": 48,
    "master": 38,
    "bachelor": 30,
    "associate": 24,
    "vocational": 20,
    "secondary": 16,
}
# Extra job seekers in the graduate season, at the July peak, as a share of the occupation's usual supply.
GRADUATE_SUPPLY_LIFT = {
    "doctorate": 0.50,
    "master": 0.55,
    "bachelor": 0.45,
    "associate": 0.25,
    "vocational": 0.12,
    "secondary": 0.04,
}

BURN_IN_MONTHS = 36  # simulated before `start` so lagged supply has a past to lag behind


@dataclass
class Programme:
    code: str
    name_zh: str
    name_en: str
    industry_code: str
    segment_code: str | None  # None: the whole chain
    start: int
    ramp_months: int
    lift: float

    def as_json(self) -> dict:
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "industry_code": self.industry_code,
            "segment_code": self.segment_code,
            "start_month": format_month(self.start),
            "ramp_months": self.ramp_months,
            "lift": round(self.lift, 4),
        }


@dataclass
class World:
    """Series layout and structural parameters. Arrays indexed by series, industry, zone or occupation."""

    months: np.ndarray  # month integers, burn-in included
    first_month: int  # index into months of `start`
    zone_codes: list[str]
    industry_codes: list[str]
    segment_codes: list[str]
    occupation_codes: list[str]
    series_zone: np.ndarray
    series_industry: np.ndarray
    series_segment: np.ndarray
    series_occupation: np.ndarray
    series_base_postings: np.ndarray
    industry: dict[str, np.ndarray] = field(default_factory=dict)
    zone: dict[str, np.ndarray] = field(default_factory=dict)
    occupation: dict[str, np.ndarray] = field(default_factory=dict)
    episodes: list[tuple[int, int, int, float]] = field(default_factory=list)  # occ, start, months, log-lift
    programmes: list[Programme] = field(default_factory=list)


def _layout(taxonomy: Taxonomy):
    zones = sorted(taxonomy.zones)
    industries = sorted(taxonomy.industries)
    segments = sorted(taxonomy.segments)
    occupations = sorted(taxonomy.occupations)
    z_ix = {c: i for i, c in enumerate(zones)}
    i_ix = {c: i for i, c in enumerate(industries)}
    s_ix = {c: i for i, c in enumerate(segments)}
    o_ix = {c: i for i, c in enumerate(occupations)}
    rows = []
    for link in sorted(taxonomy.zone_industries, key=lambda zi: (zi.zone_code, zi.industry_code)):
        for segment in taxonomy.segments_of(link.industry_code):
            for so in sorted(taxonomy.talent_chain(segment.code), key=lambda so: so.occupation_code):
                rows.append(
                    (
                        z_ix[link.zone_code],
                        i_ix[link.industry_code],
                        s_ix[segment.code],
                        o_ix[so.occupation_code],
                        link.intensity * so.weight,
                    )
                )
    table = np.array(rows, dtype=float).reshape(-1, 5)
    return zones, industries, segments, occupations, table


def draw_world(
    taxonomy: Taxonomy, rng: np.random.Generator, *, start: int, end: int, cutoff: int, n_programmes: int = 8
) -> World:
    """Draw the structural parameters for months ``start .. end`` (inclusive)."""
    zones, industries, segments, occupations, table = _layout(taxonomy)
    if len(table) == 0:
        raise ValueError("the taxonomy yields no series: no zone hosts an industry with a talent chain")
    months = np.arange(start - BURN_IN_MONTHS, end + 1)
    n_months, n_ind, n_zone, n_occ = len(months), len(industries), len(zones), len(occupations)

    # Industries: size, two growth regimes split at a break month, a business cycle.
    ind = {
        "size": np.array([INDUSTRY_SIZE.get(c, 0.6) for c in industries]) * rng.lognormal(0, 0.15, n_ind),
        "growth_1": np.array([INDUSTRY_GROWTH.get(c, 0.03) for c in industries])
        + rng.normal(0, 0.015, n_ind),
        "break_month": rng.integers(parse_month("2017-01"), cutoff + 1, n_ind),
        "cycle_amplitude": rng.uniform(0.03, 0.10, n_ind),
        "cycle_period_months": rng.uniform(36, 72, n_ind),
        "cycle_phase": rng.uniform(0, 2 * np.pi, n_ind),
        "wage_premium": np.array([INDUSTRY_WAGE_PREMIUM.get(c, 1.0) for c in industries]),
    }
    ind["growth_2"] = ind["growth_1"] + rng.normal(0, 0.03, n_ind)
    segment_share = rng.lognormal(0, 0.3, len(segments))

    kinds = [taxonomy.zones[c].kind for c in zones]
    zone = {
        "size": np.array([ZONE_KIND_SIZE[k] for k in kinds]) * rng.lognormal(0, 0.35, n_zone),
        "growth": np.array([ZONE_KIND_GROWTH[k] for k in kinds]) + rng.normal(0, 0.01, n_zone),
        "log_tightness": rng.normal(0, 0.08, n_zone),
        "wage_premium": np.array([ZONE_KIND_WAGE[k] for k in kinds]) * rng.lognormal(0, 0.03, n_zone),
    }

    education = [taxonomy.occupations[c].typical_education for c in occupations]
    structural = rng.random(n_occ) < 0.08  # occupations short almost always (a stubborn minority)
    occ = {
        "log_base_ratio": rng.normal(np.log(1.05), 0.18, n_occ) + np.where(structural, np.log(2.1), 0.0),
        "base_wage": np.array([BASE_WAGE_2015[e] for e in education]) * rng.lognormal(0, 0.12, n_occ),
        "base_days_to_fill": np.array([BASE_DAYS_TO_FILL[e] for e in education])
        * rng.lognormal(0, 0.1, n_occ),
        "graduate_lift": np.array([GRADUATE_SUPPLY_LIFT[e] for e in education]),
        "structural_shortage": structural.astype(float),
    }

    # Demand episodes: an occupation turns hot (or cold) for one to three years, then fades.
    episodes = []
    span_years = n_months / 12
    for o in range(n_occ):
        for sign, rate in ((1.0, 0.08), (-1.0, 0.06)):
            for _ in range(rng.poisson(rate * span_years)):
                episodes.append(
                    (
                        o,
                        int(rng.integers(months[0], months[-1] + 1)),
                        int(rng.integers(12, 37)),
                        sign * float(rng.uniform(0.4, 0.9)),
                    )
                )

    # Series scale: zone size × industry intensity × industry size × segment share × occupation weight.
    z, i, s, o = (table[:, c].astype(int) for c in range(4))
    mass = table[:, 4] * zone["size"][z] * ind["size"][i] * segment_share[s]
    employment = COVERED_EMPLOYMENT * mass / mass.sum()

    return World(
        months=months,
        first_month=BURN_IN_MONTHS,
        zone_codes=zones,
        industry_codes=industries,
        segment_codes=segments,
        occupation_codes=occupations,
        series_zone=z,
        series_industry=i,
        series_segment=s,
        series_occupation=o,
        series_base_postings=employment * MONTHLY_POSTING_RATE,
        industry=ind,
        zone=zone,
        occupation=occ,
        episodes=episodes,
        programmes=_draw_programmes(taxonomy, rng, industries, start, cutoff, n_programmes),
    )


def _draw_programmes(
    taxonomy: Taxonomy, rng: np.random.Generator, industries: list[str], start: int, cutoff: int, n: int
) -> list[Programme]:
    """Policy programmes: each lifts one chain (or one segment) from its start month, ramping up."""
    weights = np.array([max(taxonomy.industries[c].strategic_weight, 0.05) for c in industries])
    programmes = []
    for k in range(n):
        industry = industries[rng.choice(len(industries), p=weights / weights.sum())]
        chain = taxonomy.segments_of(industry)
        segment = chain[rng.integers(len(chain))].code if rng.random() < 0.5 else None
        # Most programmes start inside the history; the last may start in the truth window.
        first = start + 12
        last = cutoff + 12 if k == n - 1 else cutoff - 6
        month = int(rng.integers(first, max(first + 1, last)))
        target = taxonomy.segments[segment] if segment else taxonomy.industries[industry]
        programmes.append(
            Programme(
                code=f"PRG-{k + 1:02d}",
                name_zh=f"{target.name_zh}人才专项计划",
                name_en=f"{target.name_en} talent programme",
                industry_code=industry,
                segment_code=segment,
                start=month,
                ramp_months=int(rng.integers(6, 19)),
                lift=float(rng.uniform(0.2, 0.5)),
            )
        )
    return sorted(programmes, key=lambda p: (p.start, p.code))


def world_params(world: World) -> dict:
    """The drawn parameters as JSON-ready data (truth/params.json)."""

    def table(codes, arrays):
        return {
            code: {name: round(float(values[k]), 6) for name, values in arrays.items()}
            for k, code in enumerate(codes)
        }

    industry = table(world.industry_codes, world.industry)
    for values in industry.values():
        values["break_month"] = format_month(int(values["break_month"]))
    return {
        "industries": industry,
        "zones": table(world.zone_codes, world.zone),
        "occupations": table(world.occupation_codes, world.occupation),
        "episodes": [
            {
                "occupation_code": world.occupation_codes[o],
                "start_month": format_month(s),
                "months": n,
                "log_lift": round(lift, 4),
            }
            for o, s, n, lift in world.episodes
        ],
    }
