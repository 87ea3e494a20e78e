"""From per-segment indicators to the catalogue document: entry, urgency, ranking, bilingual entries.

The document is plain JSON data (``docs/catalogue.md`` documents it; ``catalogue.schema.json`` checks
it). Everything here is a pure function of its inputs, and every float is rounded, so the same inputs
always serialise to the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from models.catalogue.rules import LEVELS, Indicators, UrgencyRules
from models.taxonomy import Taxonomy

SCHEMA_VERSION = "1.0"
TITLE_ZH = "北京市急需紧缺人才目录（{year}年）"
TITLE_EN = "Beijing Catalogue of Urgently Needed Talent ({year})"
ISSUER_ZH = "北京市人才工作领导小组办公室（示例）"
ISSUER_EN = "Office of the Beijing Municipal Leading Group for Talent Work (placeholder)"
DEMO_ZH = "演示文件：本目录由模拟劳动力市场数据生成，不代表任何真实机构的发布。"
DEMO_EN = "Demonstration only: generated from a simulated labour market; not a publication of any real body."

EDUCATION = {
    "doctorate": ("博士研究生", "Doctorate"),
    "master": ("硕士研究生", "Master's degree"),
    "bachelor": ("大学本科", "Bachelor's degree"),
    "associate": ("大学专科", "Associate degree"),
    "vocational": ("职业技能教育", "Vocational qualification"),
    "secondary": ("高中/中专", "Secondary education"),
}
STREAM = {
    "upstream": ("上游", "upstream"),
    "midstream": ("中游", "midstream"),
    "downstream": ("下游", "downstream"),
}


@dataclass(frozen=True)
class SegmentFigures:
    """What the job measured and forecast for one occupation × segment over the catalogue year.

    Counts are sums over the year's 12 months (forecast months plus any already observed); the gap is
    postings − job seekers with its 80 % interval. ``zones``: (zone code, observed gap over the last 12
    months), largest first. Wages are CNY per month.
    """

    segment_code: str
    occupation_code: str
    postings: float
    job_seekers: float
    gap: float
    gap_lo80: float
    gap_hi80: float
    indicators: Indicators
    wage_p25: float = math.nan
    wage_p75: float = math.nan
    zones: tuple[tuple[str, float], ...] = ()
    forecast_reason_zh: str = ""
    forecast_reason_en: str = ""
    months_forecast: int = 12


@dataclass(frozen=True)
class EditionMeta:
    year: int
    rules_version: str
    seed: int
    data_window: tuple[str, str]
    models: Mapping[str, Mapping] = field(default_factory=dict)


def r(x: float, nd: int = 3) -> float | None:
    """Round for publication; NaN and infinities become null (JSON has neither)."""
    if x is None or not math.isfinite(x):
        return None
    v = round(float(x), nd)
    return 0.0 if v == 0 else v


def _pay(lo: float, hi: float) -> dict:
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return {"low": None, "high": None, "currency": "CNY", "period": "month"}
    step = 500
    low = int(math.floor(lo / step) * step)
    high = int(math.ceil(hi / step) * step)
    return {"low": low, "high": max(high, low + step), "currency": "CNY", "period": "month"}


def _entry(fig: SegmentFigures, taxonomy: Taxonomy, rules: UrgencyRules, candidates: int) -> dict | None:
    assessment = rules.assess(fig.indicators)
    if not assessment.eligible:
        return None
    occ = taxonomy.occupation(fig.occupation_code)
    seg = taxonomy.segment(fig.segment_code)
    ind = taxonomy.industry(seg.industry_code)
    link = next((x for x in taxonomy.talent_chain(seg.code) if x.occupation_code == occ.code), None)
    levels = [taxonomy.talent_levels[c] for c in (link.talent_levels if link else ())]
    levels.sort(key=lambda lv: lv.rank)
    edu_zh, edu_en = EDUCATION[occ.typical_education]
    level = assessment.level
    i = fig.indicators
    reasons = [{"zh": p.zh, "en": p.en} for p in assessment.points]
    gap_zh = (
        f"预测{_year_word_zh(fig.months_forecast)}岗位需求约{fig.postings:,.0f}个、求职人数约{fig.job_seekers:,.0f}人，"
        f"缺口约{fig.gap:,.0f}人（80%区间{fig.gap_lo80:,.0f}至{fig.gap_hi80:,.0f}）"
    )
    gap_en = (
        f"about {fig.postings:,.0f} postings against {fig.job_seekers:,.0f} job seekers forecast for the "
        f"year: a gap of {fig.gap:,.0f} (80% interval {fig.gap_lo80:,.0f} to {fig.gap_hi80:,.0f})"
    )
    reasons.insert(0, {"zh": gap_zh, "en": gap_en})
    if fig.forecast_reason_zh and fig.forecast_reason_en:
        reasons.append({"zh": f"趋势：{fig.forecast_reason_zh}", "en": f"trend: {fig.forecast_reason_en}"})
    zones = [
        {
            "code": z,
            "name_zh": taxonomy.zone(z).name_zh,
            "name_en": taxonomy.zone(z).name_en,
            "observed_gap": r(g, 0),
        }
        for z, g in fig.zones
    ]
    return {
        "urgency": {
            "rank": level.rank,
            "code": level.code,
            "name_zh": level.name_zh,
            "name_en": level.name_en,
        },
        "occupation": {
            "code": occ.code,
            "name_zh": occ.name_zh,
            "name_en": occ.name_en,
            "isco08_unit": occ.isco08_unit,
        },
        "chain": {"code": ind.code, "name_zh": ind.name_zh, "name_en": ind.name_en},
        "segment": {
            "code": seg.code,
            "name_zh": seg.name_zh,
            "name_en": seg.name_en,
            "stream": seg.stream,
            "stream_zh": STREAM[seg.stream][0],
        },
        "other_segments": [],
        "zones": zones,
        "talent_levels": [{"code": lv.code, "name_zh": lv.name_zh, "name_en": lv.name_en} for lv in levels],
        "education": {"code": occ.typical_education, "name_zh": edu_zh, "name_en": edu_en},
        "experience_years": occ.typical_experience_years,
        "pay_guidance": _pay(fig.wage_p25, fig.wage_p75),
        "forecast": {
            "postings": r(fig.postings, 0),
            "job_seekers": r(fig.job_seekers, 0),
            "demand_gap": r(fig.gap, 0),
            "demand_gap_lo80": r(fig.gap_lo80, 0),
            "demand_gap_hi80": r(fig.gap_hi80, 0),
            "months_forecast": fig.months_forecast,
        },
        "indicators": {
            "shortage_index": r(i.shortage_index),
            "p_short": r(i.p_short),
            "days_to_fill_growth": r(i.days_to_fill_growth),
            "wage_growth": r(i.wage_growth),
            "strategic_weight": r(i.strategic_weight),
            "points": assessment.total_points,
            "score": r(assessment.score, 4),
        },
        "reasons": reasons,
        "candidates_in_pool": int(candidates),
    }


def _year_word_zh(months_forecast: int) -> str:
    return "全年" if months_forecast >= 12 else "本年度"


def build_document(
    figures: Iterable[SegmentFigures],
    taxonomy: Taxonomy,
    rules: UrgencyRules,
    meta: EditionMeta,
    candidates: Mapping[str, int],
) -> dict:
    """The catalogue: per chain, eligible occupations ranked by urgency, then score, then code.

    An occupation appears once per chain (its most urgent segment; the other short segments are listed
    in ``other_segments``); at most ``rules.max_entries_per_chain`` entries per chain.
    """
    by_chain: dict[str, dict[str, dict]] = {}
    for fig in sorted(figures, key=lambda f: (f.segment_code, f.occupation_code)):
        e = _entry(fig, taxonomy, rules, candidates.get(fig.occupation_code, 0))
        if e is None:
            continue
        chain = by_chain.setdefault(e["chain"]["code"], {})
        key = e["occupation"]["code"]
        if key in chain:
            keep, other = sorted((chain[key], e), key=_order)
            keep["other_segments"] = sorted({*keep["other_segments"], other["segment"]["code"]})
            chain[key] = keep
        else:
            chain[key] = e
    chains = []
    for code in sorted(taxonomy.industries, key=lambda c: (-taxonomy.industries[c].strategic_weight, c)):
        ind = taxonomy.industries[code]
        entries = sorted(by_chain.get(code, {}).values(), key=_order)[: rules.max_entries_per_chain]
        for rank, e in enumerate(entries, start=1):
            e["rank"] = rank
        chains.append(
            {
                "code": code,
                "name_zh": ind.name_zh,
                "name_en": ind.name_en,
                "strategic_weight": r(ind.strategic_weight),
                "entries": [_reorder(e) for e in entries],
            }
        )
    all_entries = [e for c in chains for e in c["entries"]]
    doc = {
        "schema_version": SCHEMA_VERSION,
        "year": meta.year,
        "title": {"zh": TITLE_ZH.format(year=meta.year), "en": TITLE_EN.format(year=meta.year)},
        "issuer": {"zh": ISSUER_ZH, "en": ISSUER_EN},
        "notice": {"zh": DEMO_ZH, "en": DEMO_EN},
        "rules_version": rules.version,
        "rules": rules.as_dict(),
        "provenance": {
            "data_window": {"start": meta.data_window[0], "end": meta.data_window[1]},
            "seed": meta.seed,
            "models": {k: dict(v) for k, v in sorted(meta.models.items())},
        },
        "summary": {
            "entries": len(all_entries),
            "by_urgency": {
                lv.code: sum(e["urgency"]["code"] == lv.code for e in all_entries) for lv in LEVELS
            },
            "chains_with_entries": sum(bool(c["entries"]) for c in chains),
            "candidates_in_pool": sum(e["candidates_in_pool"] for e in all_entries),
        },
        "chains": chains,
    }
    return doc


def _order(e: dict) -> tuple:
    return (
        e["urgency"]["rank"],
        -(e["indicators"]["score"] or 0.0),
        -(e["indicators"]["shortage_index"] or 0.0),
        e["occupation"]["code"],
        e["segment"]["code"],
    )


def _reorder(e: dict) -> dict:
    """Rank first: readers of the JSON see the position before the details."""
    return {"rank": e.pop("rank"), **e}


def canonical_json(doc: Mapping) -> bytes:
    """The bytes the content hash is taken over: sorted keys, no whitespace, UTF-8."""
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def content_sha256(doc: Mapping) -> str:
    return hashlib.sha256(canonical_json(doc)).hexdigest()


def iter_entries(doc: Mapping) -> Iterable[dict]:
    for chain in doc["chains"]:
        yield from chain["entries"]
