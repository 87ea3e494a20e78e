"""Reading recorded catalogue editions: which ones a caller may see, their files, entries and diffs.

An edition is a ``CatalogueEdition`` row (with its ``CatalogueEntry`` rows) plus the files under
``<root>/<provenance["directory"]>``, where ``root`` is ``<home>/catalogue``. Published editions, and
the superseded ones that were published before them, are public to every caller; drafts, reviewed and
discarded editions are the bureau's work in progress, seen only by analysts and admins. An edition a
caller may not see answers exactly like one that does not exist.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.auth import Principal, Role
from models.catalogue.diff import diff_documents
from models.catalogue.rules import LEVELS
from models.errors import Forbidden, InvalidInput, NotFound, Unavailable
from models.storage import orm
from models.taxonomy import Taxonomy

STATUSES = ("draft", "reviewed", "published", "superseded", "discarded")
PUBLIC_STATUSES = ("published", "superseded")
PRIVILEGED = (Role.bureau_analyst, Role.admin)
FORMATS = ("json", "csv", "xlsx", "html")
URGENCIES = tuple(level.code for level in LEVELS)


def file_names(year: int) -> dict[str, str]:
    """The files of a ``year``'s edition by kind: the four formats, the diff and the manifest."""
    return {k: f"catalogue-{year}.{k}" for k in FORMATS} | {
        "diff": f"catalogue-{year}-diff.json",
        "manifest": "manifest.json",
    }


def document_from_entries(entries: Iterable[orm.CatalogueEntry]) -> dict:
    """A minimal document (chains → entries) rebuilt from stored entry payloads, for diffs."""
    chains: dict[str, list[dict]] = {}
    for e in sorted(entries, key=lambda e: (e.industry_code, e.rank)):
        chains.setdefault(e.industry_code, []).append(e.payload)
    return {"chains": [{"code": c, "entries": v} for c, v in sorted(chains.items())]}


def sees_unpublished(principal: Principal) -> bool:
    """Analysts and admins see drafts, reviewed and discarded editions; everyone else published ones."""
    return principal.role in PRIVILEGED


def _visible(principal: Principal) -> tuple[str, ...]:
    return STATUSES if sees_unpublished(principal) else PUBLIC_STATUSES


def list_editions(
    session: Session,
    principal: Principal,
    *,
    limit: int,
    offset: int,
    year: int | None = None,
    status: str | None = None,
) -> tuple[list[orm.CatalogueEdition], int]:
    """Editions the caller may see, newest year first, then newest version; and how many in all."""
    visible = _visible(principal)
    if status is not None and status not in visible:
        raise Forbidden(
            f"role {principal.role.value!r} sees only {' and '.join(visible)} editions", field="status"
        )
    where = [orm.CatalogueEdition.status.in_((status,) if status else visible)]
    if year is not None:
        where.append(orm.CatalogueEdition.year == year)
    total = session.scalar(select(func.count()).select_from(orm.CatalogueEdition).where(*where)) or 0
    rows = session.scalars(
        select(orm.CatalogueEdition)
        .where(*where)
        .order_by(orm.CatalogueEdition.year.desc(), orm.CatalogueEdition.version.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return list(rows), total


def get_edition(session: Session, principal: Principal, edition_id: int) -> orm.CatalogueEdition:
    """The edition, if the caller may see it; ``NotFound`` otherwise (unpublished ones included)."""
    edition = session.get(orm.CatalogueEdition, edition_id)
    if edition is None or edition.status not in _visible(principal):
        raise NotFound(f"no catalogue edition {edition_id}", field="edition_id")
    return edition


def published_edition(session: Session, year: int) -> orm.CatalogueEdition:
    """The edition published for ``year``; ``NotFound`` naming the years that have one."""
    edition = session.scalar(
        select(orm.CatalogueEdition).where(
            orm.CatalogueEdition.year == year, orm.CatalogueEdition.status == "published"
        )
    )
    if edition is None:
        years = session.scalars(
            select(orm.CatalogueEdition.year)
            .where(orm.CatalogueEdition.status == "published")
            .order_by(orm.CatalogueEdition.year)
        ).all()
        raise NotFound(
            f"no catalogue published for {year}; published years: {list(years) or 'none yet'}",
            field="year",
        )
    return edition


@dataclass(frozen=True)
class EditionFile:
    name: str
    content: bytes
    sha256: str


def edition_file(
    session: Session, principal: Principal, root: Path, edition_id: int, fmt: str
) -> EditionFile:
    """The bytes of one of the edition's files, exactly as recorded: refused (503) when the file is
    missing or its sha256 differs from the one the edition recorded, never served altered."""
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}", field="format")
    edition = get_edition(session, principal, edition_id)
    if edition.status == "discarded":
        raise NotFound(
            f"catalogue edition {edition_id} was discarded; its files are deleted", field="edition_id"
        )
    name = file_names(edition.year)[fmt]
    expected = (edition.provenance or {}).get("files", {}).get(name)
    directory = (edition.provenance or {}).get("directory")
    path = root / directory / name if directory else None
    if expected is None or path is None or not path.is_file():
        raise Unavailable(
            f"the {fmt} file of catalogue edition {edition_id} is missing on the server; "
            "an operator must restore the edition's files",
            field="format",
        )
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest != expected:
        raise Unavailable(
            f"the {fmt} file of catalogue edition {edition_id} does not match its recorded sha256; "
            "it is withheld until an operator restores it",
            field="format",
        )
    return EditionFile(name, content, digest)


def _check_choice(field: str, value: str | None, choices: Iterable[str], kind: str | None = None) -> None:
    choices = list(choices)
    if value is not None and value not in choices:
        raise InvalidInput(f"unknown {kind or field} {value!r}; one of {', '.join(choices)}", field=field)


def entries(
    session: Session,
    principal: Principal,
    taxonomy: Taxonomy,
    edition_id: int,
    *,
    limit: int,
    offset: int,
    industry: str | None = None,
    segment: str | None = None,
    zone: str | None = None,
    urgency: str | None = None,
) -> tuple[list[orm.CatalogueEntry], int]:
    """The edition's entries, by chain code then rank, filtered by chain (industry), segment (the
    entry's own or one of its ``other_segments``), zone (one of the entry's zones) and urgency.

    Each filter must name a known code: an unknown one is refused with the valid choices (a segment's
    choices are those of ``industry`` when it is given).
    """
    _check_choice("industry", industry, taxonomy.industries)
    segments = [s.code for s in taxonomy.segments_of(industry)] if industry else list(taxonomy.segments)
    _check_choice("segment", segment, segments)
    _check_choice("zone", zone, taxonomy.zones)
    _check_choice("urgency", urgency, URGENCIES)
    edition = get_edition(session, principal, edition_id)
    query = select(orm.CatalogueEntry).where(orm.CatalogueEntry.edition_id == edition.id)
    if industry is not None:
        query = query.where(orm.CatalogueEntry.industry_code == industry)
    if urgency is not None:
        query = query.where(orm.CatalogueEntry.urgency == urgency)
    rows = session.scalars(query.order_by(orm.CatalogueEntry.industry_code, orm.CatalogueEntry.rank))
    # Segment and zone live partly inside the payload (JSON): filtered here, portably; an edition holds
    # a few hundred entries at most.
    found = [e for e in rows if _has_segment(e, segment) and _has_zone(e.payload, zone)]
    return found[offset : offset + limit], len(found)


def _has_segment(e: orm.CatalogueEntry, segment: str | None) -> bool:
    return segment is None or e.segment_code == segment or segment in e.payload.get("other_segments", [])


def _has_zone(payload: Mapping, zone: str | None) -> bool:
    return zone is None or any(z.get("code") == zone for z in payload.get("zones", []))


def diff_editions(session: Session, principal: Principal, from_id: int, to_id: int) -> dict:
    """Entries added, removed and whose urgency changed from edition ``from_id`` to ``to_id``, each
    with its reason (``models.catalogue.diff``); both editions must be visible to the caller."""
    old = get_edition(session, principal, from_id)
    new = get_edition(session, principal, to_id)
    rules = (new.provenance or {}).get("rules", {})
    result = diff_documents(
        document_from_entries(old.entries),
        {**document_from_entries(new.entries), "rules": rules},
        previous_label=edition_code(old),
    )
    return {"from_edition": old.id, "to_edition": new.id, **result}


def edition_code(edition: orm.CatalogueEdition) -> str:
    """``<year>-<sha8>``, the code the publication prints."""
    return (edition.provenance or {}).get("edition_code") or f"{edition.year}-{edition.content_sha256[:8]}"


def catalogue_root(home: Path) -> Path:
    """Where the catalogue job writes editions (``editions/<year>/v<N>-<sha12>/``) under ``home``."""
    return home / "catalogue"
