"""Latent variables of simulated people, drawn block by block (1,000 people per block).

Block ``b`` depends only on ``(seed, b)``, so profile ``i`` is the same whatever the chunk size or the
total number of profiles; a block's latents can be redrawn cheaply (projects anchor on them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.taxonomy import EDUCATION_LEVELS, Taxonomy
from training.simulate.world import World

BLOCK = 1_000
EDUCATION_ORDER = tuple(reversed(EDUCATION_LEVELS))  # secondary … doctorate: index = rank
START_AGE = {
    "secondary": 18,
    "vocational": 19,
    "associate": 21,
    "bachelor": 22,
    "master": 25,
    "doctorate": 29,
}
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55+")
# How common each talent level is among people whose segment uses it; unknown levels 0.1.
LEVEL_WEIGHT = {
    "top_leading": 0.01,
    "research_leader": 0.04,
    "innovation_team": 0.07,
    "high_level": 0.12,
    "high_skill": 0.2,
    "professional": 0.5,
    "young_reserve": 0.25,
}
# Years of experience by level: (mean, sd); None = the occupation's typical years + 2.
LEVEL_YEARS = {
    "top_leading": (22, 7),
    "research_leader": (16, 6),
    "innovation_team": (8, 5),
    "high_level": (13, 6),
    "high_skill": (11, 6),
    "professional": (None, 4),
    "young_reserve": (1.5, 1.5),
}
RESEARCH_LEVELS = ("top_leading", "research_leader", "innovation_team")
PUBLICATIONS = {"top_leading": 60, "research_leader": 25, "innovation_team": 8, "high_level": 2}
PATENTS = {"top_leading": 12, "research_leader": 6, "innovation_team": 3, "high_level": 1, "high_skill": 0.5}
PEOPLE_PER_FOCUS = 60  # a focus area (sub-specialty) per this many expected people of an occupation
NO_CONSENT = 0.05


@dataclass
class PeopleContext:
    """Everything needed to draw a block of latents, precomputed once from taxonomy and world."""

    seed: int
    n_profiles: int
    series_cum: np.ndarray  # cumulative sampling probabilities over series
    world: World
    level_codes: list[str]
    level_rank: np.ndarray
    series_level_cum: np.ndarray  # [series × level] cumulative probabilities
    occ_education: np.ndarray  # rank of typical education
    occ_years: np.ndarray
    occ_n_skills: np.ndarray
    occ_focus: np.ndarray  # number of focus areas per occupation
    occ_research: np.ndarray  # professional/technical group (publications, patents plausible)
    industry_enterprises: list[np.ndarray]  # enterprise indices per industry
    n_enterprises: int
    cutoff: int  # month integer of the cut-off

    @property
    def cutoff_year(self) -> int:
        return self.cutoff // 12


def people_context(
    taxonomy: Taxonomy,
    world: World,
    demand_now: np.ndarray,
    *,
    seed: int,
    n_profiles: int,
    enterprise_industry: np.ndarray,
    cutoff: int,
) -> PeopleContext:
    """``demand_now``: expected postings per series in the cutoff month (people follow employment)."""
    p = demand_now / demand_now.sum()
    levels = sorted(taxonomy.talent_levels.values(), key=lambda level: level.rank)
    level_codes = [level.code for level in levels]
    level_ix = {c: k for k, c in enumerate(level_codes)}
    allowed = {(so.segment_code, so.occupation_code): so.talent_levels for so in taxonomy.segment_occupations}
    weights = np.zeros((len(p), len(level_codes)))
    for k in range(len(p)):
        key = (
            world.segment_codes[world.series_segment[k]],
            world.occupation_codes[world.series_occupation[k]],
        )
        for code in allowed.get(key, ()) or level_codes:
            weights[k, level_ix[code]] = LEVEL_WEIGHT.get(code, 0.1)
    weights /= weights.sum(axis=1, keepdims=True)
    occupations = [taxonomy.occupations[c] for c in world.occupation_codes]
    share = np.bincount(world.series_occupation, weights=p, minlength=len(occupations))
    return PeopleContext(
        seed=seed,
        n_profiles=n_profiles,
        series_cum=np.cumsum(p),
        world=world,
        level_codes=level_codes,
        level_rank=np.array([level.rank for level in levels]),
        series_level_cum=np.cumsum(weights, axis=1),
        occ_education=np.array([EDUCATION_ORDER.index(o.typical_education) for o in occupations]),
        occ_years=np.array([o.typical_experience_years for o in occupations]),
        occ_n_skills=np.array([max(1, min(len(o.skills_zh), len(o.skills_en))) for o in occupations]),
        occ_focus=np.maximum(1, np.round(n_profiles * share / PEOPLE_PER_FOCUS)).astype(int),
        occ_research=np.array([o.cn_major_group == 2 for o in occupations]),
        industry_enterprises=[
            np.flatnonzero(enterprise_industry == i) for i in range(len(world.industry_codes))
        ],
        n_enterprises=len(enterprise_industry),
        cutoff=cutoff,
    )


def block_rng(seed: int, stream: int, block: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, stream, block]))


def _pick(cum: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF sampling; cum is 1-D (shared) or 2-D (one row per draw)."""
    if cum.ndim == 1:
        return np.minimum(np.searchsorted(cum, u * cum[-1], side="right"), len(cum) - 1)
    return np.minimum((u[:, None] * cum[:, -1:] > cum).sum(axis=1), cum.shape[1] - 1)


def latents(ctx: PeopleContext, block: int) -> dict[str, np.ndarray]:
    """The hidden truth of the ``BLOCK`` people of one block (index ``block * BLOCK + k``)."""
    rng = block_rng(ctx.seed, 2, block)
    w, n = ctx.world, BLOCK
    series = _pick(ctx.series_cum, rng.random(n))
    occ = w.series_occupation[series]
    level = _pick(ctx.series_level_cum[series], rng.random(n))
    code = np.array(ctx.level_codes)[level]

    mean = np.array([LEVEL_YEARS.get(c, (None, 4))[0] or -1 for c in ctx.level_codes], dtype=float)[level]
    sd = np.array([LEVEL_YEARS.get(c, (None, 4))[1] for c in ctx.level_codes], dtype=float)[level]
    mean = np.where(mean < 0, ctx.occ_years[occ] + 2, mean)
    years = np.clip(np.round(rng.normal(mean, sd)), 0, 40).astype(int)
    years = np.where(code == "young_reserve", np.minimum(years, 5), years)

    shift = np.select([rng.random(n) < 0.15, rng.random(n) < 0.12], [1, -1], 0)
    education = np.clip(ctx.occ_education[occ] + shift, 0, len(EDUCATION_ORDER) - 1)
    research = np.isin(code, RESEARCH_LEVELS) & ctx.occ_research[occ]
    education = np.where(research, np.maximum(education, np.where(rng.random(n) < 0.75, 5, 4)), education)

    start_age = np.array([START_AGE[e] for e in EDUCATION_ORDER])[education]
    age = np.minimum(start_age + years + rng.integers(0, 4, n), 64)
    band = np.digitize(age, [25, 35, 45, 55])

    publications = rng.poisson(
        np.array([PUBLICATIONS.get(c, 0.0) for c in ctx.level_codes])[level]
        * (ctx.occ_research[occ] | research)
        + 0.3 * (education == 5)
    )
    patents = rng.poisson(
        np.array([PATENTS.get(c, 0.0) for c in ctx.level_codes])[level] * ctx.occ_research[occ]
    )

    n_skills = ctx.occ_n_skills[occ]
    focus = (rng.random(n) * ctx.occ_focus[occ]).astype(int)
    held = rng.random((n, 16)) < 0.75
    held[:, 0] |= ~held.any(axis=1)
    mask = (held * (1 << np.arange(16))).sum(axis=1) & ((1 << n_skills) - 1)
    mask = np.where(mask == 0, 1, mask)
    focus_skill = focus % n_skills
    mask = np.where(ctx.occ_focus[occ] > 1, mask | (1 << focus_skill), mask)

    consent = rng.random(n) >= NO_CONSENT
    foreign = rng.random(n) < np.where(research, 0.08, 0.02)
    text_lang = np.where(foreign, 1, _pick(np.array([0.4, 0.7, 1.0]), rng.random(n)))  # 0 zh, 1 en, 2 both
    return {
        "index": block * BLOCK + np.arange(n),
        "series": series,
        "zone": w.series_zone[series],
        "segment": w.series_segment[series],
        "industry": w.series_industry[series],
        "occupation": occ,
        "level": level,
        "level_rank": ctx.level_rank[level],
        "years": years,
        "education": education,
        "age": age,
        "age_band": band,
        "publications": publications,
        "patents": patents,
        "focus": focus,
        "skill_mask": mask.astype(np.int64),
        "male": rng.random(n) < 0.55,
        "foreign": foreign,
        "text_lang": text_lang,
        "consent": consent,
        "matching": consent & (rng.random(n) < 0.97),
        "catalogue": consent & (rng.random(n) < 0.6),
        "n_tenants": np.where(consent & (rng.random(n) < 0.25), rng.integers(1, 4, n), 0),
        "tenant_u": rng.random((n, 3)),
        "kind_scope": np.where(consent & (rng.random(n) < 0.05), rng.integers(0, 5, n), -1),
        "occupation_known": rng.random(n) < 0.6,
        "updated_days": rng.integers(0, 3 * 365, n),
    }


def slice_latents(lat: dict[str, np.ndarray], rows: slice) -> dict[str, np.ndarray]:
    return {key: value[rows] for key, value in lat.items()}
