"""Labour-market indicators of a zone, a cluster or the whole city, from the database.

* scale: postings, job seekers and hires over the last 12 observed months (sums), the latest month's
  figures, and the talent pool (profiles registered there);
* structure: the talent pool by occupation (top ``top_n``), education, age band and talent level, and
  demand (postings over the last 12 months) by occupation;
* change: each flow's last 12 months against the 12 before (y/y), wages and days-to-fill likewise, and
  the monthly series of the last 24 months.

A cluster's talent pool is the profiles whose occupation belongs to the talent chain of one of its
segments (profiles carry an occupation, not a segment). Months never observed are absent, not zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from models.errors import InvalidInput
from models.storage.orm import ChainSegment, Industry, Observation, SegmentOccupation, TalentProfile
from models.taxonomy import Taxonomy

STRUCTURE_COLUMNS = {
    "education": TalentProfile.education_level,
    "age_band": TalentProfile.age_band,
    "talent_level": TalentProfile.talent_level,
    "occupation": TalentProfile.occupation_code,
}


@dataclass
class Indicators:
    scope: dict[str, str | None]
    data_end: date | None
    scale: dict[str, float | int | None]
    latest_month: dict[str, float | None]
    change: dict[str, float | None]
    structure: dict[str, list[dict]] = field(default_factory=dict)
    monthly: list[dict] = field(default_factory=list)


def _months_back(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 - n
    return date(m // 12, m % 12 + 1, 1)


def _growth(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before <= 0:
        return None
    return float(now) / float(before) - 1.0


def _ratio(num, den) -> float | None:
    return float(num) / float(den) if num is not None and den else None


def indicators(
    session: Session,
    taxonomy: Taxonomy,
    *,
    zone: str | None = None,
    cluster: str | None = None,
    top_n: int = 20,
) -> Indicators:
    """Indicators of ``zone`` or ``cluster`` (not both; neither = the whole city)."""
    if zone and cluster:
        raise InvalidInput("give zone or cluster, not both", field="cluster")
    if zone and zone not in taxonomy.zones:
        raise InvalidInput(f"unknown zone {zone!r}; one of {', '.join(sorted(taxonomy.zones))}", field="zone")
    if cluster and cluster not in taxonomy.clusters:
        raise InvalidInput(
            f"unknown cluster {cluster!r}; one of {', '.join(sorted(taxonomy.clusters))}", field="cluster"
        )
    o = Observation
    end = session.scalar(select(func.max(o.month)))
    scope = {"zone": zone, "cluster": cluster}

    def where_obs(q: Select) -> Select:
        if zone:
            return q.where(o.zone_code == zone)
        if cluster:
            segments = (
                select(ChainSegment.code)
                .join(Industry, Industry.code == ChainSegment.industry_code)
                .where(Industry.cluster_code == cluster)
            )
            return q.where(o.segment_code.in_(segments))
        return q

    def where_profiles(q: Select) -> Select:
        p = TalentProfile
        if zone:
            return q.where(p.zone_code == zone)
        if cluster:
            occupations = (
                select(SegmentOccupation.occupation_code)
                .join(ChainSegment, ChainSegment.code == SegmentOccupation.segment_code)
                .join(Industry, Industry.code == ChainSegment.industry_code)
                .where(Industry.cluster_code == cluster)
            )
            return q.where(p.occupation_code.in_(occupations))
        return q

    pool = session.scalar(where_profiles(select(func.count()).select_from(TalentProfile))) or 0
    structure = {}
    for name, column in STRUCTURE_COLUMNS.items():
        rows = session.execute(
            where_profiles(
                select(column, func.count()).group_by(column).order_by(func.count().desc(), column)
            )
        ).all()
        rows = [(k, n) for k, n in rows if k is not None]
        if name == "occupation":
            rows = rows[:top_n]
        structure[name] = [
            {"code": k, **_names(taxonomy, name, k), "count": int(n), "share": n / pool if pool else None}
            for k, n in rows
        ]
    if end is None:
        return Indicators(scope, None, {"talent_pool": pool}, {}, {}, structure, [])

    start = _months_back(end, 23)
    monthly_rows = session.execute(
        where_obs(
            select(
                o.month,
                func.sum(o.postings),
                func.sum(o.job_seekers),
                func.sum(o.hires),
                func.sum(o.median_wage_cny * o.postings),
                func.sum(case((o.median_wage_cny.is_not(None), o.postings))),
                func.sum(o.mean_days_to_fill * o.hires),
                func.sum(case((o.mean_days_to_fill.is_not(None), o.hires))),
            )
            .where(o.month >= start)
            .group_by(o.month)
            .order_by(o.month)
        )
    ).all()
    monthly = [
        {
            "month": m,
            "postings": _int(p),
            "job_seekers": _int(s),
            "hires": _int(h),
            "wage": _ratio(ww, wn),
            "days_to_fill": _ratio(fw, fn),
        }
        for m, p, s, h, ww, wn, fw, fn in monthly_rows
    ]
    cut = _months_back(end, 11)
    now = [r for r in monthly if r["month"] >= cut]
    before = [r for r in monthly if r["month"] < cut]
    sums_now = {k: _sum(now, k) for k in ("postings", "job_seekers", "hires")}
    sums_before = {k: _sum(before, k) for k in ("postings", "job_seekers", "hires")}
    change = {
        f"{k}_yoy": _growth(sums_now[k], sums_before[k]) if len(before) == 12 else None for k in sums_now
    }
    for k in ("wage", "days_to_fill"):
        change[f"{k}_yoy"] = _growth(_mean(now, k), _mean(before, k)) if len(before) == 12 else None
    latest = monthly[-1] if monthly else {}
    demand = session.execute(
        where_obs(
            select(o.occupation_code, func.sum(o.postings))
            .where(o.month >= cut)
            .group_by(o.occupation_code)
            .order_by(func.sum(o.postings).desc(), o.occupation_code)
            .limit(top_n)
        )
    ).all()
    total_postings = sums_now["postings"] or 0
    structure["demand_by_occupation"] = [
        {
            "code": k,
            **_names(taxonomy, "occupation", k),
            "count": _int(n),
            "share": (n / total_postings) if total_postings and n is not None else None,
        }
        for k, n in demand
    ]
    scale = {
        "postings_12m": sums_now["postings"],
        "job_seekers_12m": sums_now["job_seekers"],
        "hires_12m": sums_now["hires"],
        "talent_pool": pool,
        "shortage_index_12m": _ratio(sums_now["postings"], max(sums_now["job_seekers"] or 0, 1)),
    }
    latest_month = {k: latest.get(k) for k in ("postings", "job_seekers", "hires", "wage", "days_to_fill")}
    return Indicators(scope, end, scale, latest_month, change, structure, monthly)


def _int(v) -> int | None:
    return int(v) if v is not None else None


def _sum(rows: list[dict], key: str) -> int | None:
    vals = [r[key] for r in rows if r[key] is not None]
    return int(sum(vals)) if vals else None


def _mean(rows: list[dict], key: str) -> float | None:
    vals = [r[key] for r in rows if r[key] is not None]
    return sum(vals) / len(vals) if vals else None


def _names(taxonomy: Taxonomy, kind: str, code: str) -> dict:
    if kind == "occupation" and code in taxonomy.occupations:
        o = taxonomy.occupations[code]
        return {"name_en": o.name_en, "name_zh": o.name_zh}
    if kind == "talent_level" and code in taxonomy.talent_levels:
        t = taxonomy.talent_levels[code]
        return {"name_en": t.name_en, "name_zh": t.name_zh}
    return {}
