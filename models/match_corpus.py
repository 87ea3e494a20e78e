"""What the matching index is built from, read from the database: the profiles that some search may
match, the open projects, and the entries of the newest published needs catalogue.

A profile enters the index only with a scope that can admit it to a search (``models.talent.
matchable_scopes``: ``pool:matching``, ``tenant:<code>``, ``kind:<kind>``); which search it may appear
in is decided per query, inside retrieval, from those scopes (``models.talent.matching_scopes``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.matching.documents import (
    CATALOGUE_ID_OFFSET,
    occupation_need_document,
    profile_document,
    project_document,
)
from models.matching.filters import Document
from models.storage.orm import CatalogueEdition, CatalogueEntry, ConsentScope, Project, TalentProfile
from models.talent import matchable_scopes
from models.taxonomy import Taxonomy

OPEN = "open"
PUBLISHED = "published"


@dataclass
class Corpus:
    profiles: list[Document] = field(default_factory=list)
    opportunities: list[Document] = field(default_factory=list)
    profiles_without_consent: int = 0
    projects: int = 0
    catalogue_entries: int = 0
    catalogue_edition: int | None = None


def _scopes(session: Session) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for pid, scope in session.execute(select(ConsentScope.profile_id, ConsentScope.scope)):
        out.setdefault(pid, set()).add(scope)
    return out


def matchable_profiles(session: Session, batch: int = 5000) -> Iterator[Document | None]:
    """Every profile as a candidate document, in id order; ``None`` for one no search may match."""
    scopes = _scopes(session)
    query = select(TalentProfile).order_by(TalentProfile.id).execution_options(yield_per=batch)
    for profile in session.scalars(query):
        kept = matchable_scopes(scopes.get(profile.id, set()))
        yield profile_document(profile, kept) if kept else None


def open_projects(session: Session, taxonomy: Taxonomy) -> list[Document]:
    industry = {code: s.industry_code for code, s in taxonomy.segments.items()}
    rows = session.scalars(select(Project).where(Project.status == OPEN).order_by(Project.id))
    return [project_document(p, industry) for p in rows]


def newest_published_edition(session: Session) -> CatalogueEdition | None:
    """The catalogue edition whose entries are matched (the newest published one)."""
    return session.scalar(
        select(CatalogueEdition)
        .where(CatalogueEdition.status == PUBLISHED)
        .order_by(CatalogueEdition.year.desc(), CatalogueEdition.version.desc())
        .limit(1)
    )


def published_catalogue(session: Session, taxonomy: Taxonomy) -> tuple[int | None, list[Document]]:
    """The newest published catalogue edition's entries as opportunities (ids offset), if there is one."""
    edition = newest_published_edition(session)
    if edition is None:
        return None, []
    docs = []
    for entry in session.scalars(select(CatalogueEntry).where(CatalogueEntry.edition_id == edition.id)):
        occupation = taxonomy.occupations.get(entry.occupation_code)
        if occupation is None:
            continue
        docs.append(
            occupation_need_document(
                CATALOGUE_ID_OFFSET + entry.id, occupation, taxonomy.segments.get(entry.segment_code)
            )
        )
    return edition.id, docs


def read_corpus(session: Session, taxonomy: Taxonomy) -> Corpus:
    corpus = Corpus()
    for doc in matchable_profiles(session):
        if doc is None:
            corpus.profiles_without_consent += 1
        else:
            corpus.profiles.append(doc)
    projects = open_projects(session, taxonomy)
    edition, entries = published_catalogue(session, taxonomy)
    corpus.opportunities = projects + entries
    corpus.projects, corpus.catalogue_entries, corpus.catalogue_edition = len(projects), len(entries), edition
    return corpus
