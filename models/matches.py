"""Matching as the service answers it: the index proposes, the database disposes.

Every function searches the loaded ``MatchingIndex`` with the filters *inside* retrieval — including
the consent that admits a person to this search (``models.talent.matching_scopes``) — and then checks
each returned id against the database before anything is shown: a profile deleted since the index was
built, or whose consent no longer admits this search, is excluded and the search runs again without it,
so the answer still holds ``top_k`` items when enough eligible profiles exist. That check is what makes
deletion and withdrawn consent effective on the very next query in every worker.

Candidates are rendered through ``models.candidates`` (pseudonymous unless the person consented to the
caller's tenant; PII reads audited).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.auth import Principal, Role
from models.candidates import CandidateView, render_candidates
from models.errors import InvalidInput, NotFound
from models.matching.documents import (
    CATALOGUE_ID_OFFSET,
    occupation_need_document,
    profile_document,
    project_document,
)
from models.matching.filters import Document, Filters
from models.matching.index_store import MatchingIndex
from models.matching.reasons import Reasons
from models.matching.retriever import Direction, Match
from models.profiles import get_profile, known_code, scopes_of
from models.projects import owned_project
from models.storage.orm import CatalogueEdition, CatalogueEntry, Project, TalentProfile
from models.talent import matching_scopes
from models.taxonomy import Taxonomy

MAX_ROUNDS = 4  # searches per request when stale ids turn up (each round excludes what it found)
PUBLISHED = "published"


@dataclass(frozen=True)
class CandidateMatch:
    rank: int
    score: float
    reasons: Reasons
    candidate: CandidateView
    rerank_score: float | None = None


@dataclass(frozen=True)
class Opportunity:
    rank: int
    score: float
    reasons: Reasons
    kind: str  # "project" | "catalogue_entry"
    project: Project | None = None
    catalogue_entry: CatalogueEntry | None = None


@dataclass(frozen=True)
class Results:
    index_version: str
    items: list


def candidate_filters(
    taxonomy: Taxonomy, zones: Sequence[str] | None = None, min_years: float | None = None
) -> Filters:
    """The hard filters a caller may set, validated against the reference data (422 naming the field)."""
    for zone in zones or ():
        known_code(taxonomy.zones, zone, "zone", "zone")
    return Filters(zones=frozenset(zones) if zones else None, min_years=min_years)


def _search_checked(
    index: MatchingIndex,
    query: Document,
    direction: Direction,
    top_k: int,
    filters: Filters,
    still_valid: Callable[[list[int]], set[int]],
) -> list[Match]:
    """Search, drop ids the database no longer backs (``still_valid`` returns the good ones), and
    search again without them until a round finds none stale."""
    retriever = index.opportunities if direction == Direction.PROFILE_TO_OPPORTUNITIES else index.candidates
    excluded: set[int] = set(filters.exclude_ids)
    matches: list[Match] = []
    for _ in range(MAX_ROUNDS):
        matches = retriever.search(query, direction, top_k, replace(filters, exclude_ids=frozenset(excluded)))
        ids = [m.id for m in matches]
        valid = still_valid(ids)
        stale = set(ids) - valid
        if not stale:
            break
        excluded |= stale
        matches = [m for m in matches if m.id in valid]
    return [replace(m, rank=r) for r, m in enumerate(matches, start=1)]


def _candidates(
    session: Session,
    principal: Principal,
    index: MatchingIndex,
    query: Document,
    direction: Direction,
    top_k: int,
    filters: Filters,
    consent_any: frozenset[str],
) -> Results:
    profiles: dict[int, TalentProfile] = {}

    def still_valid(ids: list[int]) -> set[int]:
        rows = session.scalars(select(TalentProfile).where(TalentProfile.id.in_(ids))) if ids else []
        profiles.update({p.id: p for p in rows})
        scopes = scopes_of(session, [i for i in ids if i in profiles])
        return {i for i in ids if i in profiles and scopes[i] & consent_any}

    filters = replace(filters, consent_any=consent_any)
    matches = _search_checked(index, query, direction, top_k, filters, still_valid)
    views = render_candidates(session, principal, [profiles[m.id] for m in matches])
    items = [
        CandidateMatch(m.rank, m.score, m.reasons, view, m.rerank_score)
        for m, view in zip(matches, views, strict=True)
    ]
    return Results(index.version, items)


def candidates_for_project(
    session: Session,
    principal: Principal,
    taxonomy: Taxonomy,
    index: MatchingIndex,
    project_id: int,
    *,
    top_k: int,
    filters: Filters,
) -> Results:
    """Project → candidates, for the enterprise owning the project (another tenant's: ``NotFound``)."""
    project = owned_project(session, principal, project_id)
    industry = {code: s.industry_code for code, s in taxonomy.segments.items()}
    query = replace(project_document(project, industry), id=-1)
    consent = matching_scopes(principal.tenant, project.kind)
    return _candidates(
        session, principal, index, query, Direction.PROJECT_TO_CANDIDATES, top_k, filters, consent
    )


def _caller_consent(principal: Principal) -> frozenset[str]:
    """Who may be put before a search without a project: the pool, and an enterprise's own tenant."""
    principal.require(Role.bureau_analyst, Role.enterprise_user)
    return matching_scopes(principal.tenant if principal.role is Role.enterprise_user else None)


def candidates_for_occupation(
    session: Session,
    principal: Principal,
    taxonomy: Taxonomy,
    index: MatchingIndex,
    occupation_code: str,
    segment_code: str | None = None,
    *,
    top_k: int,
    filters: Filters,
) -> Results:
    """Needs-catalogue direction without a catalogue row: who fits this occupation (in this segment)."""
    known_code(taxonomy.occupations, occupation_code, "occupation", "occupation_code")
    if segment_code is not None:
        known_code(taxonomy.segments, segment_code, "segment", "segment_code")
    occupation = taxonomy.occupations[occupation_code]
    segment = taxonomy.segments.get(segment_code) if segment_code else None
    query = occupation_need_document(-1, occupation, segment)
    return _candidates(
        session,
        principal,
        index,
        query,
        Direction.CATALOGUE_TO_CANDIDATES,
        top_k,
        filters,
        _caller_consent(principal),
    )


def candidates_for_catalogue_entry(
    session: Session,
    principal: Principal,
    taxonomy: Taxonomy,
    index: MatchingIndex,
    entry_id: int,
    *,
    top_k: int,
    filters: Filters,
) -> Results:
    """Catalogue entry → candidates. Enterprises see entries of published editions only; bureau
    analysts also drafts. An entry the caller may not see reads as unknown."""
    consent = _caller_consent(principal)
    entry = session.get(CatalogueEntry, entry_id)
    edition = session.get(CatalogueEdition, entry.edition_id) if entry is not None else None
    visible = edition is not None and (principal.role is Role.bureau_analyst or edition.status == PUBLISHED)
    if entry is None or not visible or entry.occupation_code not in taxonomy.occupations:
        raise NotFound(f"unknown catalogue entry {entry_id}", field="entry_id")
    query = occupation_need_document(
        -1, taxonomy.occupations[entry.occupation_code], taxonomy.segments.get(entry.segment_code)
    )
    return _candidates(
        session, principal, index, query, Direction.CATALOGUE_TO_CANDIDATES, top_k, filters, consent
    )


def opportunities_for_profile(
    session: Session, principal: Principal, index: MatchingIndex, *, top_k: int, filters: Filters
) -> Results:
    """Profile → open projects and entries of published catalogues that fit the caller (talent)."""
    principal.require(Role.talent)
    assert principal.profile_id is not None
    profile = get_profile(session, principal.profile_id)
    query = replace(profile_document(profile, ()), id=-1)
    if not query.full_text.strip():
        raise InvalidInput("your profile has no summary, titles or skills to match on", field="summary")
    projects: dict[int, Project] = {}
    entries: dict[int, CatalogueEntry] = {}

    def still_valid(ids: list[int]) -> set[int]:
        project_ids = [i for i in ids if i < CATALOGUE_ID_OFFSET]
        entry_ids = [i - CATALOGUE_ID_OFFSET for i in ids if i >= CATALOGUE_ID_OFFSET]
        if project_ids:
            rows = session.scalars(
                select(Project).where(Project.id.in_(project_ids), Project.status == "open")
            )
            projects.update({p.id: p for p in rows})
        if entry_ids:
            rows = session.scalars(
                select(CatalogueEntry)
                .join(CatalogueEdition, CatalogueEdition.id == CatalogueEntry.edition_id)
                .where(CatalogueEntry.id.in_(entry_ids), CatalogueEdition.status == PUBLISHED)
            )
            entries.update({e.id: e for e in rows})
        return {i for i in project_ids if i in projects} | {
            i for i in ids if i >= CATALOGUE_ID_OFFSET and i - CATALOGUE_ID_OFFSET in entries
        }

    matches = _search_checked(index, query, Direction.PROFILE_TO_OPPORTUNITIES, top_k, filters, still_valid)
    items = []
    for m in matches:
        if m.id >= CATALOGUE_ID_OFFSET:
            entry = entries[m.id - CATALOGUE_ID_OFFSET]
            items.append(Opportunity(m.rank, m.score, m.reasons, "catalogue_entry", catalogue_entry=entry))
        else:
            items.append(Opportunity(m.rank, m.score, m.reasons, "project", project=projects[m.id]))
    return Results(index.version, items)
