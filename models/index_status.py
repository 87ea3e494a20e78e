"""How fresh the published matching index is: what it holds and what the database changed since.

An index is built from a snapshot of the database (``db_read_at`` in its card). Profiles and projects
written after that are not searchable until the next build; deletions are (the tombstone log). This
tells an operator when a rebuild (``POST /v1/admin/index/builds``, ``talentcluster match build-index``)
is due, and ``build-index --if-stale`` skips one that is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.match_corpus import newest_published_edition
from models.matching.index_store import current_version, read_card, read_tombstones
from models.storage.orm import Project, TalentProfile


@dataclass(frozen=True)
class IndexStatus:
    version: str | None
    built_at: str | None = None
    db_read_at: datetime | None = None
    model_id: str | None = None
    embedding_precision: str | None = None
    counts: dict | None = None
    profiles_written_since: int = 0
    projects_written_since: int = 0
    profiles_deleted_since: int = 0
    catalogue_edition_indexed: int | None = None
    catalogue_edition_published: int | None = None

    @property
    def stale(self) -> bool:
        """Whether a build would index something this version lacks (deletions never need one)."""
        return (
            self.version is None
            or self.profiles_written_since > 0
            or self.projects_written_since > 0
            or self.catalogue_edition_indexed != self.catalogue_edition_published
        )


def index_status(session: Session, index_dir: Path) -> IndexStatus:
    """The card of the version ``CURRENT`` names and the writes the database had after its snapshot."""
    version = current_version(index_dir)
    edition = newest_published_edition(session)
    published = edition.id if edition is not None else None
    if version is None:
        return IndexStatus(None, catalogue_edition_published=published)
    card = read_card(Path(index_dir) / version)
    read_at = datetime.fromtimestamp(float(card["db_read_at"]), UTC)

    def written_since(table) -> int:
        # SQLite hands back naive datetimes (stored in UTC); compare without the zone there.
        since = read_at if session.bind.dialect.name != "sqlite" else read_at.replace(tzinfo=None)
        return int(session.scalar(select(func.count()).where(table.updated_at > since)) or 0)

    return IndexStatus(
        version=version,
        built_at=card.get("built_at"),
        db_read_at=read_at,
        model_id=card.get("model_id"),
        embedding_precision=card.get("embedding_precision"),
        counts=card.get("counts"),
        profiles_written_since=written_since(TalentProfile),
        projects_written_since=written_since(Project),
        profiles_deleted_since=len(read_tombstones(index_dir, since=read_at.timestamp())),
        catalogue_edition_indexed=(card.get("counts") or {}).get("catalogue_edition"),
        catalogue_edition_published=published,
    )
