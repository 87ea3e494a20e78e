"""Stored rows → matching ``Document``s, the same way for the index build and for a query.

Texts mirror the simulator evaluation set (``training/matching/datasets.py``), on which the fusion rules
are tuned: a profile's titles are its title and its summary and skills its text; a project's title is
its title, its description the text and its required skills the skills. Rows are read by attribute
(ORM rows or anything shaped like them), so this module needs no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime

from models.matching.filters import Document
from models.matching.text import has_chinese

# Catalogue entries share the opportunities corpus with projects; their ids are offset so the two
# id spaces never collide (a project id is an int32 primary key).
CATALOGUE_ID_OFFSET = 1 << 40


def _join(items: Iterable[str]) -> str:
    items = [i.strip() for i in items if i and i.strip()]
    return ("、" if any(has_chinese(i) for i in items) else ", ").join(items)


def _day(value: date | datetime | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def profile_document(profile, scopes: Iterable[str]) -> Document:
    """A talent profile as a candidate; ``scopes`` are its consent scopes (matching-relevant ones)."""
    text = "\n".join(x for x in (profile.summary or "", _join(profile.skills or ())) if x.strip())
    return Document(
        id=int(profile.id),
        kind="profile",
        title=_join(profile.titles or ()),
        text=text or _join(profile.titles or ()),
        zone=profile.zone_code,
        talent_level=profile.talent_level,
        education=profile.education_level,
        years_experience=float(profile.years_experience or 0),
        consent=frozenset(scopes),
        skills=tuple(profile.skills or ()),
        updated=_day(profile.updated_at),
    )


def project_document(project, segment_industry: Mapping[str, str] | None = None) -> Document:
    """A funded project as a requirement (a query) or as an opportunity (in the reverse corpus)."""
    segment = project.segment_code
    return Document(
        id=int(project.id),
        kind="project",
        title=project.title or "",
        text=project.description or project.title or "",
        zone=project.zone_code,
        segment=segment,
        industry=(segment_industry or {}).get(segment),
        talent_level=project.talent_level,
        education=project.min_education,
        years_experience=float(project.min_experience_years or 0),
        skills=tuple(project.required_skills or ()),
        updated=_day(getattr(project, "updated_at", None)),
    )


def occupation_need_document(
    doc_id: int,
    occupation,
    segment=None,
    *,
    kind: str = "catalogue_entry",
    zone: str | None = None,
    talent_level: str | None = None,
) -> Document:
    """An urgent need for an occupation (a catalogue entry, or an ad-hoc occupation + segment search):
    both names, the segment's names, and the occupation's key skills in both languages."""
    title = f"{occupation.name_zh} {occupation.name_en}"
    where = f"{segment.name_zh} {segment.name_en}" if segment is not None else ""
    text = "\n".join(
        x
        for x in (
            where,
            f"{occupation.name_en}. Key skills: {', '.join(occupation.skills_en)}.",
            f"{occupation.name_zh}。核心技能：{'、'.join(occupation.skills_zh)}。",
        )
        if x
    )
    return Document(
        id=doc_id,
        kind=kind,
        title=title,
        text=text,
        zone=zone,
        segment=getattr(segment, "code", None),
        industry=getattr(segment, "industry_code", None),
        talent_level=talent_level,
        education=getattr(occupation, "typical_education", None),
        skills=tuple(occupation.skills_en) + tuple(occupation.skills_zh),
    )
