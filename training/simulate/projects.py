"""Enterprises (tenants), projects anchored on latent people, and the hidden true fit between them.

Each project is written around one latent person (its *anchor*), so every project has at least one
relevant profile; the grade of every other person is computed from latent variables (occupation, focus
area, skills held, level, experience, education, zone), never from the rendered text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.taxonomy import Taxonomy
from training.simulate.people import BLOCK, EDUCATION_ORDER, PeopleContext, block_rng, latents
from training.simulate.profile_text import EDUCATION_EN, EDUCATION_ZH, PROJECT_KINDS

PROJECT_COLUMNS = [
    "enterprise_code",
    "enterprise_name",
    "external_ref",
    "title",
    "description",
    "kind",
    "segment_code",
    "zone_code",
    "required_occupations",
    "required_skills",
    "talent_level",
    "min_education",
    "min_experience_years",
    "funding_cny",
]
FIT_COLUMNS = [
    "project_external_ref",
    "enterprise_code",
    "profile_external_ref",
    "grade",
    "profile_matchable",
]
N_ENTERPRISES = 50
SYLLABLES = [
    ("华", "Hua"),
    ("泰", "Tai"),
    ("瑞", "Rui"),
    ("博", "Bo"),
    ("远", "Yuan"),
    ("辰", "Chen"),
    ("新", "Xin"),
    ("恒", "Heng"),
    ("启", "Qi"),
    ("明", "Ming"),
    ("益", "Yi"),
    ("航", "Hang"),
    ("创", "Chuang"),
    ("腾", "Teng"),
    ("澜", "Lan"),
    ("峰", "Feng"),
    ("源", "Yuan"),
    ("达", "Da"),
    ("云", "Yun"),
    ("景", "Jing"),
]
SUFFIX = {
    "NIT": ("信息技术有限公司", "Information Technology Co., Ltd."),
    "BIO": ("生物医药有限公司", "Biopharma Co., Ltd."),
    "FIN": ("资本管理有限公司", "Capital Management Co., Ltd."),
    "NEV": ("新能源汽车有限公司", "New Energy Vehicle Co., Ltd."),
    "NEN": ("新能源科技有限公司", "New Energy Technology Co., Ltd."),
    "NMA": ("新材料有限公司", "Advanced Materials Co., Ltd."),
    "AER": ("航天科技有限公司", "Aerospace Technology Co., Ltd."),
    "CUL": ("文化传媒有限公司", "Culture & Media Co., Ltd."),
    "EEP": ("环保科技有限公司", "Environmental Technology Co., Ltd."),
    "HEM": ("智能装备有限公司", "Intelligent Equipment Co., Ltd."),
}
KIND_ZH = {
    "research": "科研项目",
    "industrialisation": "产业化项目",
    "innovation_team": "创新团队建设项目",
    "startup": "创业项目",
    "talent_programme": "人才引进计划",
}
KIND_EN = {
    "research": "research project",
    "industrialisation": "industrialisation project",
    "innovation_team": "innovation-team project",
    "startup": "start-up",
    "talent_programme": "talent programme",
}
FUNDING_RANGE = {
    "research": (0.5e6, 5e6),
    "industrialisation": (5e6, 5e7),
    "innovation_team": (2e6, 2e7),
    "startup": (0.5e6, 1e7),
    "talent_programme": (1e6, 1e7),
}
ON_SITE_KINDS = (1, 3)  # industrialisation, startup: the zone matters


@dataclass
class Enterprises:
    codes: list[str]
    names_zh: list[str]
    names_en: list[str]
    industry: np.ndarray  # industry index per enterprise


def draw_enterprises(
    taxonomy: Taxonomy, industry_codes: list[str], rng: np.random.Generator, n: int = N_ENTERPRISES
) -> Enterprises:
    weights = np.array([max(taxonomy.industries[c].strategic_weight, 0.1) for c in industry_codes])
    industry = np.concatenate(
        [
            np.arange(min(n, len(industry_codes))),
            rng.choice(len(industry_codes), max(0, n - len(industry_codes)), p=weights / weights.sum()),
        ]
    )
    pairs = rng.permutation(len(SYLLABLES) ** 2)[:n]
    names_zh, names_en = [], []
    for k, pair in enumerate(pairs):
        (a_zh, a_en), (b_zh, b_en) = SYLLABLES[pair // len(SYLLABLES)], SYLLABLES[pair % len(SYLLABLES)]
        code = industry_codes[industry[k]]
        suffix_zh, suffix_en = SUFFIX.get(code, ("科技有限公司", "Technology Co., Ltd."))
        city = k % 3 != 2
        names_zh.append(f"{'北京' if city else ''}{a_zh}{b_zh}{suffix_zh}")
        names_en.append(f"{'Beijing ' if city else ''}{a_en}{b_en.lower()} {suffix_en}")
    return Enterprises([f"ent-{k + 1:03d}" for k in range(n)], names_zh, names_en, industry.astype(int))


def _anchor_latents(ctx: PeopleContext, anchors: np.ndarray) -> dict[str, np.ndarray]:
    """Latents of the anchor people, regenerating one block at a time."""
    out: dict[str, np.ndarray] = {}
    order = np.argsort(anchors, kind="stable")
    for block in np.unique(anchors // BLOCK):
        lat = latents(ctx, int(block))
        rows = order[(anchors[order] // BLOCK) == block]
        for key, value in lat.items():
            if key not in out:
                out[key] = np.empty((len(anchors), *value.shape[1:]), dtype=value.dtype)
            out[key][rows] = value[anchors[rows] % BLOCK]
    return out


def draw_projects(taxonomy: Taxonomy, ctx: PeopleContext, enterprises: Enterprises, n_projects: int):
    """Projects frame (import format) and the latent requirement arrays used for grading."""
    w, rng = ctx.world, block_rng(ctx.seed, 4, 0)
    candidates = rng.integers(0, ctx.n_profiles, (n_projects, 2))
    first = _anchor_latents(ctx, candidates[:, 0])
    anchors = np.where(first["matching"], candidates[:, 0], candidates[:, 1])
    a = _anchor_latents(ctx, anchors)
    occ_ix = {c: k for k, c in enumerate(w.occupation_codes)}
    rank = ctx.level_rank
    rows, req = (
        [],
        {
            "primary": [],
            "secondary": [],
            "rank": [],
            "min_edu": [],
            "min_exp": [],
            "zone": [],
            "kind": [],
            "focus": [],
            "skill_mask": [],
            "segment": [],
        },
    )
    for j in range(n_projects):
        o, s, level = int(a["occupation"][j]), int(a["segment"][j]), int(a["level"][j])
        segment = taxonomy.segments[w.segment_codes[s]]
        industry = taxonomy.industries[segment.industry_code]
        chain = [
            occ_ix[so.occupation_code]
            for so in taxonomy.talent_chain(segment.code)
            if occ_ix[so.occupation_code] != o
        ]
        secondary = [int(x) for x in rng.permutation(chain)[: rng.integers(0, min(2, len(chain)) + 1)]]
        same = np.flatnonzero(w.series_segment == s)
        zone = int(a["zone"][j]) if rng.random() < 0.75 else int(w.series_zone[rng.choice(same)])
        research = taxonomy.talent_levels[ctx.level_codes[level]].code in (
            "top_leading",
            "research_leader",
            "innovation_team",
        )
        kind = int(rng.choice([0, 2]) if research else rng.choice(5, p=[0.15, 0.35, 0.1, 0.2, 0.2]))
        if rng.random() < 0.2:
            near = np.flatnonzero(np.abs(rank - rank[level]) == 1)
            level = int(rng.choice(near)) if len(near) else level
        min_edu = max(0, int(a["education"][j]) - int(rng.integers(0, 2)))
        min_exp = int(np.floor(a["years"][j] * rng.uniform(0.5, 1.0)))
        if ctx.level_codes[level] == "young_reserve":
            min_exp = min(min_exp, 3)
        n_skills = int(ctx.occ_n_skills[o])
        held = [k for k in range(n_skills) if a["skill_mask"][j] >> k & 1]
        focus_skill = int(a["focus"][j]) % n_skills
        wanted = [k for k in rng.permutation(held)[: rng.integers(2, 5)]]
        if ctx.occ_focus[o] > 1:
            wanted = [focus_skill] + [k for k in wanted if k != focus_skill]
        mask = sum(1 << k for k in set(wanted))
        zh = rng.random() < 0.5
        occ = taxonomy.occupations[w.occupation_codes[o]]
        skills = [(occ.skills_zh if zh else occ.skills_en)[k] for k in wanted]
        for x in secondary:
            other = taxonomy.occupations[w.occupation_codes[x]]
            pool = other.skills_zh if zh else other.skills_en
            if pool:
                skills.append(pool[int(rng.integers(len(pool)))])
        e_pool = np.flatnonzero(enterprises.industry == w.industry_codes.index(industry.code))
        e = int(rng.choice(e_pool)) if len(e_pool) else int(rng.integers(len(enterprises.codes)))
        kind_code, level_obj = PROJECT_KINDS[kind], taxonomy.talent_levels[ctx.level_codes[level]]
        zone_obj = taxonomy.zones[w.zone_codes[zone]]
        edu = EDUCATION_ORDER[min_edu]
        low, high = FUNDING_RANGE[kind_code]
        funding = (
            float(np.round(np.exp(rng.uniform(np.log(low), np.log(high))), -4))
            if rng.random() < 0.9
            else np.nan
        )
        names2 = [taxonomy.occupations[w.occupation_codes[x]] for x in secondary]
        if zh:
            wanted_title = rng.choice([occ.name_zh, *occ.aliases_zh])
            title = f"{segment.name_zh}{KIND_ZH[kind_code]}：招聘{wanted_title}"
            text = (
                f"{enterprises.names_zh[e]}在{zone_obj.name_zh}开展{industry.name_zh}产业链“{segment.name_zh}”环节的"
                f"{KIND_ZH[kind_code]}，急需{level_obj.name_zh}{wanted_title}，要求{EDUCATION_ZH[edu]}及以上学历、"
                f"{min_exp}年以上相关经验，熟悉{'、'.join(skills[: len(wanted)])}。"
            )
            if names2:
                text += f"同时需要{'、'.join(x.name_zh for x in names2)}。"
        else:
            wanted_title = rng.choice([occ.name_en, *occ.aliases_en])
            title = f"{wanted_title} for a {segment.name_en} {KIND_EN[kind_code]}"
            text = (
                f"{enterprises.names_en[e]} is running a {KIND_EN[kind_code]} in {segment.name_en} "
                f"({industry.name_en} chain) in {zone_obj.name_en}. We need a {level_obj.name_en.lower()} "
                f"{wanted_title} with a {EDUCATION_EN[edu]} or above and {min_exp}+ years of experience, "
                f"skilled in {', '.join(skills[: len(wanted)])}."
            )
            if names2:
                text += f" Also hiring: {', '.join(x.name_en for x in names2)}."
        rows.append(
            (
                enterprises.codes[e],
                enterprises.names_zh[e] if zh else enterprises.names_en[e],
                f"PRJ-{j + 1:06d}",
                title[:200],
                text[:4000],
                kind_code,
                segment.code,
                zone_obj.code,
                ";".join([occ.code, *(x.code for x in names2)]),
                ";".join(dict.fromkeys(s.replace(";", ",") for s in skills)),
                level_obj.code,
                edu,
                min_exp,
                funding,
            )
        )
        for key, value in (
            ("primary", o),
            ("secondary", secondary),
            ("rank", rank[level]),
            ("min_edu", min_edu),
            ("min_exp", min_exp),
            ("zone", zone),
            ("kind", kind),
            ("focus", int(a["focus"][j])),
            ("skill_mask", mask),
            ("segment", s),
        ):
            req[key].append(value)
    frame = pd.DataFrame(rows, columns=PROJECT_COLUMNS)
    frame["min_experience_years"] = frame["min_experience_years"].astype("int64")
    return frame, {k: (v if k == "secondary" else np.array(v)) for k, v in req.items()}, anchors
