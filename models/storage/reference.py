"""Loading the reference taxonomy into the database, and reading its code sets back."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.storage import orm
from models.storage.bulk import upsert
from models.taxonomy import Taxonomy


def _rows(model: type[orm.Base], items) -> list[dict]:
    """Dataclass rows as dicts of the table's columns (tuples become JSON lists)."""
    columns = set(model.__table__.columns.keys())
    return [
        {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(item).items() if k in columns}
        for item in items
    ]


def load_reference(session: Session, taxonomy: Taxonomy) -> dict[str, int]:
    """Upsert every reference row; idempotent. Returns the number of rows per table."""
    t = taxonomy
    tables = [
        (orm.Cluster, t.clusters.values(), ["code"]),
        (orm.Industry, t.industries.values(), ["code"]),
        (orm.ChainSegment, t.segments.values(), ["code"]),
        (orm.TalentLevel, t.talent_levels.values(), ["code"]),
        (orm.Occupation, t.occupations.values(), ["code"]),
        (orm.SegmentOccupation, t.segment_occupations, ["segment_code", "occupation_code"]),
        (orm.Zone, t.zones.values(), ["code"]),
        (orm.ZoneIndustry, t.zone_industries, ["zone_code", "industry_code"]),
    ]
    counts = {}
    for model, items, key in tables:
        counts[model.__tablename__] = upsert(session, model.__table__, _rows(model, items), key)
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
