"""Loading the reference taxonomy into the database, and reading its code sets back."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.storage import orm
from models.storage.bulk import upsert
from models.taxonomy import Taxonomy


def load_reference(session: Session, taxonomy: Taxonomy) -> dict[str, int]:
    """Upsert every reference row; idempotent. Returns the number of rows per table."""
    t = taxonomy
    tables = [
        (
            orm.Cluster,
            [
                dict(code=c.code, name_zh=c.name_zh, name_en=c.name_en, kind=c.kind)
                for c in t.clusters.values()
            ],
            ["code"],
        ),
        (
            orm.Industry,
            [
                dict(
                    code=i.code,
                    cluster_code=i.cluster_code,
                    name_zh=i.name_zh,
                    name_en=i.name_en,
                    strategic_weight=i.strategic_weight,
                    description_en=i.description_en,
                )
                for i in t.industries.values()
            ],
            ["code"],
        ),
        (
            orm.ChainSegment,
            [
                dict(
                    code=s.code,
                    industry_code=s.industry_code,
                    position=s.position,
                    stream=s.stream,
                    name_zh=s.name_zh,
                    name_en=s.name_en,
                    description_en=s.description_en,
                )
                for s in t.segments.values()
            ],
            ["code"],
        ),
        (
            orm.TalentLevel,
            [
                dict(code=lv.code, rank=lv.rank, name_zh=lv.name_zh, name_en=lv.name_en)
                for lv in t.talent_levels.values()
            ],
            ["code"],
        ),
        (
            orm.Occupation,
            [
                dict(
                    code=o.code,
                    name_zh=o.name_zh,
                    name_en=o.name_en,
                    isco08_unit=o.isco08_unit,
                    cn_major_group=o.cn_major_group,
                    typical_education=o.typical_education,
                    typical_experience_years=o.typical_experience_years,
                    skills_zh=list(o.skills_zh),
                    skills_en=list(o.skills_en),
                )
                for o in t.occupations.values()
            ],
            ["code"],
        ),
        (
            orm.SegmentOccupation,
            [
                dict(
                    segment_code=so.segment_code,
                    occupation_code=so.occupation_code,
                    weight=so.weight,
                    talent_levels=list(so.talent_levels),
                )
                for so in t.segment_occupations
            ],
            ["segment_code", "occupation_code"],
        ),
        (
            orm.Zone,
            [
                dict(
                    code=z.code,
                    kind=z.kind,
                    name_zh=z.name_zh,
                    name_en=z.name_en,
                    district_code=z.district_code,
                    grid_row=z.grid_row,
                    grid_col=z.grid_col,
                    lat=z.lat,
                    lon=z.lon,
                )
                for z in t.zones.values()
            ],
            ["code"],
        ),
        (
            orm.ZoneIndustry,
            [
                dict(zone_code=zi.zone_code, industry_code=zi.industry_code, intensity=zi.intensity)
                for zi in t.zone_industries
            ],
            ["zone_code", "industry_code"],
        ),
    ]
    counts = {}
    for model, rows, key in tables:
        counts[model.__tablename__] = upsert(session, model.__table__, rows, key)
    # Aliases have no natural owner key beyond the row itself: replace them wholesale.
    session.execute(delete(orm.OccupationAlias))
    aliases = [
        dict(occupation_code=o.code, lang=lang, alias=alias)
        for o in t.occupations.values()
        for lang, names in (("zh", o.aliases_zh), ("en", o.aliases_en))
        for alias in dict.fromkeys(names)
    ]
    counts["occupation_alias"] = upsert(
        session, orm.OccupationAlias.__table__, aliases, ["occupation_code", "lang", "alias"]
    )
    return counts


@dataclass(frozen=True)
class ReferenceCodes:
    """The codes imported rows are checked against, as stored in the database."""

    zones: frozenset[str]
    segments: frozenset[str]
    occupations: frozenset[str]
    talent_levels: frozenset[str]
    segment_occupations: frozenset[tuple[str, str]]

    @classmethod
    def read(cls, session: Session) -> ReferenceCodes:
        def codes(column) -> frozenset[str]:
            return frozenset(session.scalars(select(column)))

        pairs = session.execute(
            select(orm.SegmentOccupation.segment_code, orm.SegmentOccupation.occupation_code)
        )
        return cls(
            zones=codes(orm.Zone.code),
            segments=codes(orm.ChainSegment.code),
            occupations=codes(orm.Occupation.code),
            talent_levels=codes(orm.TalentLevel.code),
            segment_occupations=frozenset((s, o) for s, o in pairs),
        )
