"""An enterprise's projects, shortlists and feedback — always within the caller's tenant.

``owned_project`` is the one ownership check: every function here that takes a project id goes through
it. A project of another tenant is reported exactly like one that does not exist (``NotFound``), so that
callers learn nothing about other tenants, and the check comes before any change.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.auth import Principal, Role
from models.candidates import CandidateView, render_candidates
from models.errors import Conflict, InvalidInput, NotFound
from models.profiles import known_code, scopes_of
from models.storage.orm import MatchFeedback, Project, ShortlistEntry, TalentProfile
from models.talent import may_match
from models.taxonomy import Taxonomy

PROJECT_FIELDS = (
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
)
OPEN, ARCHIVED = "open", "archived"
FEEDBACK_LABELS = ("shortlisted", "contacted", "hired", "rejected")


def owned_project(session: Session, principal: Principal, project_id: int) -> Project:
    """The project, if it belongs to the caller's tenant; ``NotFound`` otherwise, whether it exists or not."""
    principal.require(Role.enterprise_user)
    project = session.get(Project, project_id)
    if project is None or project.enterprise_id != principal.enterprise_id:
        raise NotFound(f"unknown project {project_id}", field="project_id")
    return project


def _check_codes(taxonomy: Taxonomy, fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(PROJECT_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown project field(s) {sorted(unknown)}", field=sorted(unknown)[0])
    if "segment_code" in fields:
        known_code(taxonomy.segments, fields["segment_code"], "segment", "segment_code")
    if "zone_code" in fields:
        known_code(taxonomy.zones, fields["zone_code"], "zone", "zone_code")
    if "talent_level" in fields:
        known_code(taxonomy.talent_levels, fields["talent_level"], "talent level", "talent_level")
    for i, code in enumerate(fields.get("required_occupations") or ()):
        known_code(taxonomy.occupations, code, "occupation", f"required_occupations.{i}")


def create_project(
    session: Session,
    taxonomy: Taxonomy,
    principal: Principal,
    fields: Mapping[str, Any],
    external_ref: str | None = None,
) -> Project:
    """A new open project of the caller's tenant; ``external_ref`` is unique per tenant (or made up)."""
    principal.require(Role.enterprise_user)
    _check_codes(taxonomy, fields)
    external_ref = external_ref or f"api-{uuid.uuid4().hex[:16]}"
    taken = session.scalar(
        select(Project.id).where(
            Project.enterprise_id == principal.enterprise_id, Project.external_ref == external_ref
        )
    )
    if taken is not None:
        raise Conflict(f"a project with external_ref {external_ref!r} exists already", field="external_ref")
    project = Project(enterprise_id=principal.enterprise_id, external_ref=external_ref, status=OPEN, **fields)
    session.add(project)
    session.flush()
    return project


def list_projects(
    session: Session, principal: Principal, *, limit: int, offset: int, status: str | None = None
) -> tuple[list[Project], int]:
    """The caller's tenant's projects, newest first, and how many there are in all."""
    principal.require(Role.enterprise_user)
    where = [Project.enterprise_id == principal.enterprise_id]
    if status is not None:
        where.append(Project.status == status)
    total = session.scalar(select(func.count()).select_from(Project).where(*where)) or 0
    rows = session.scalars(
        select(Project).where(*where).order_by(Project.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), total


def update_project(
    session: Session, taxonomy: Taxonomy, principal: Principal, project_id: int, changes: Mapping[str, Any]
) -> Project:
    """Apply the given fields (only those) to an open project of the caller's."""
    project = _open(owned_project(session, principal, project_id))
    _check_codes(taxonomy, changes)
    for name, value in changes.items():
        setattr(project, name, value)
    session.flush()
    return project


def archive_project(session: Session, principal: Principal, project_id: int) -> Project:
    """Archive a project (idempotent): it keeps its shortlist and feedback, and takes no more changes."""
    project = owned_project(session, principal, project_id)
    project.status = ARCHIVED
    session.flush()
    return project


def _open(project: Project) -> Project:
    if project.status != OPEN:
        raise Conflict(f"project {project.id} is {project.status} and takes no changes", field="status")
    return project


def _matchable_profile(
    session: Session, principal: Principal, project: Project, profile_id: int
) -> TalentProfile:
    """A profile the person lets this project see; absent and not consented read alike."""
    profile = session.get(TalentProfile, profile_id)
    if profile is None or not may_match(
        scopes_of(session, [profile_id])[profile_id], principal.tenant or "", project.kind
    ):
        raise NotFound(f"unknown profile {profile_id}", field="profile_id")
    return profile


# -- shortlists ---------------------------------------------------------------------------------------
def add_to_shortlist(
    session: Session, principal: Principal, project_id: int, profile_id: int, note: str = ""
) -> tuple[ShortlistEntry, CandidateView]:
    project = _open(owned_project(session, principal, project_id))
    profile = _matchable_profile(session, principal, project, profile_id)
    if (
        session.scalar(
            select(ShortlistEntry.id).where(
                ShortlistEntry.project_id == project.id, ShortlistEntry.profile_id == profile_id
            )
        )
        is not None
    ):
        raise Conflict(f"profile {profile_id} is on the shortlist already", field="profile_id")
    entry = ShortlistEntry(project_id=project.id, profile_id=profile_id, note=note)
    session.add(entry)
    session.flush()
    return entry, render_candidates(session, principal, [profile])[0]


def _consented_views(
    session: Session, principal: Principal, project: Project, profiles: list[TalentProfile]
) -> list[CandidateView | None]:
    """Each profile's view, or None for a person who has since withdrawn the consent that let them be
    put before this project: the entry stays (the recruiter's own record), the person's data does not."""
    scopes = scopes_of(session, [p.id for p in profiles])
    consented = [p for p in profiles if may_match(scopes[p.id], principal.tenant, project.kind)]
    rendered = render_candidates(session, principal, consented)
    views = {p.id: v for p, v in zip(consented, rendered, strict=True)}
    return [views.get(p.id) for p in profiles]


def shortlist(
    session: Session, principal: Principal, project_id: int, *, limit: int, offset: int
) -> tuple[list[tuple[ShortlistEntry, CandidateView | None]], int]:
    """The shortlist in the order it was built, each candidate in the view the caller may see (None
    where the person withdrew consent)."""
    project = owned_project(session, principal, project_id)
    where = ShortlistEntry.project_id == project.id
    total = session.scalar(select(func.count()).select_from(ShortlistEntry).where(where)) or 0
    rows = session.execute(
        select(ShortlistEntry, TalentProfile)
        .join(TalentProfile)
        .where(where)
        .order_by(ShortlistEntry.id)
        .limit(limit)
        .offset(offset)
    ).all()
    views = _consented_views(session, principal, project, [profile for _, profile in rows])
    return [(entry, view) for (entry, _), view in zip(rows, views, strict=True)], total


def shortlist_entry(
    session: Session, principal: Principal, project_id: int, profile_id: int
) -> tuple[ShortlistEntry, CandidateView | None]:
    project = owned_project(session, principal, project_id)
    row = session.execute(
        select(ShortlistEntry, TalentProfile)
        .join(TalentProfile)
        .where(ShortlistEntry.project_id == project.id, ShortlistEntry.profile_id == profile_id)
    ).first()
    if row is None:
        raise NotFound(
            f"profile {profile_id} is not on the shortlist of project {project_id}", field="profile_id"
        )
    return row[0], _consented_views(session, principal, project, [row[1]])[0]


def remove_from_shortlist(session: Session, principal: Principal, project_id: int, profile_id: int) -> None:
    project = _open(owned_project(session, principal, project_id))
    entry = session.scalar(
        select(ShortlistEntry).where(
            ShortlistEntry.project_id == project.id, ShortlistEntry.profile_id == profile_id
        )
    )
    if entry is None:
        raise NotFound(
            f"profile {profile_id} is not on the shortlist of project {project_id}", field="profile_id"
        )
    session.delete(entry)
    session.flush()


# -- feedback -----------------------------------------------------------------------------------------
def record_feedback(
    session: Session,
    principal: Principal,
    project_id: int,
    profile_id: int,
    label: str,
    rank_shown: int | None = None,
) -> MatchFeedback:
    """A recruiter's label on a candidate; ``rank_shown`` (1-based) lets the re-ranker undo position bias."""
    if label not in FEEDBACK_LABELS:
        raise InvalidInput(f"unknown label {label!r}; one of {', '.join(FEEDBACK_LABELS)}", field="label")
    project = owned_project(session, principal, project_id)
    _matchable_profile(session, principal, project, profile_id)
    feedback = MatchFeedback(project_id=project.id, profile_id=profile_id, label=label, rank_shown=rank_shown)
    session.add(feedback)
    session.flush()
    return feedback


def feedback(
    session: Session, principal: Principal, project_id: int, *, limit: int, offset: int
) -> tuple[list[MatchFeedback], int]:
    project = owned_project(session, principal, project_id)
    where = MatchFeedback.project_id == project.id
    total = session.scalar(select(func.count()).select_from(MatchFeedback).where(where)) or 0
    rows = session.scalars(
        select(MatchFeedback).where(where).order_by(MatchFeedback.id).limit(limit).offset(offset)
    )
    return list(rows), total
