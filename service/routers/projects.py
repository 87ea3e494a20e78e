"""Enterprise projects, shortlists and feedback. Every route goes through ``models.projects.owned_project``:
another tenant's project answers 404, exactly like one that does not exist."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from models import projects
from service.deps import EnterpriseUser, TaxonomyDep, UnitOfWorkDep
from service.schemas import Limit, Offset, Page
from service.schemas.common import problem_responses
from service.schemas.projects import (
    CandidatePublic,
    FeedbackCreate,
    FeedbackPublic,
    ProjectCreate,
    ProjectPublic,
    ProjectUpdate,
    ShortlistAdd,
    ShortlistEntryPublic,
)

router = APIRouter(
    prefix="/v1/projects",
    tags=["enterprise"],
    responses=problem_responses(401, 403, 404, 409, 413, 422, 429, 503),
)
ProjectId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ProfileId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _entry(entry, view) -> ShortlistEntryPublic:
    return ShortlistEntryPublic(
        project_id=entry.project_id,
        profile_id=entry.profile_id,
        note=entry.note,
        created_at=entry.created_at,
        consent_withdrawn=view is None,
        candidate=None if view is None else CandidatePublic.from_domain(view),
    )


@router.post("", status_code=201, response_model=ProjectPublic, summary="Create a project")
def create_project(body: ProjectCreate, db: UnitOfWorkDep, taxonomy: TaxonomyDep, principal: EnterpriseUser):
    fields = body.model_dump(exclude={"external_ref"})
    project = projects.create_project(db, taxonomy, principal, fields, external_ref=body.external_ref)
    return ProjectPublic.model_validate(project)


@router.get("", response_model=Page[ProjectPublic], summary="Your enterprise's projects, newest first")
def list_projects(
    db: UnitOfWorkDep,
    principal: EnterpriseUser,
    limit: Limit = 50,
    offset: Offset = 0,
    status: Annotated[Literal["open", "archived"] | None, Query()] = None,
):
    rows, total = projects.list_projects(db, principal, limit=limit, offset=offset, status=status)
    return Page[ProjectPublic](
        items=[ProjectPublic.model_validate(p) for p in rows], total=total, limit=limit, offset=offset
    )


@router.get("/{project_id}", response_model=ProjectPublic, summary="One of your projects")
def read_project(project_id: ProjectId, db: UnitOfWorkDep, principal: EnterpriseUser):
    return ProjectPublic.model_validate(projects.owned_project(db, principal, project_id))


@router.patch(
    "/{project_id}",
    response_model=ProjectPublic,
    summary="Change some fields of an open project",
)
def update_project(
    project_id: ProjectId,
    body: ProjectUpdate,
    db: UnitOfWorkDep,
    taxonomy: TaxonomyDep,
    principal: EnterpriseUser,
):
    changes = body.model_dump(exclude_unset=True)
    return ProjectPublic.model_validate(projects.update_project(db, taxonomy, principal, project_id, changes))


@router.post(
    "/{project_id}/archive",
    response_model=ProjectPublic,
    summary="Archive a project: it keeps its shortlist and feedback, and takes no more changes",
)
def archive_project(project_id: ProjectId, db: UnitOfWorkDep, principal: EnterpriseUser):
    return ProjectPublic.model_validate(projects.archive_project(db, principal, project_id))


@router.post(
    "/{project_id}/shortlist",
    status_code=201,
    response_model=ShortlistEntryPublic,
    summary="Put a candidate on the shortlist",
)
def add_to_shortlist(project_id: ProjectId, body: ShortlistAdd, db: UnitOfWorkDep, principal: EnterpriseUser):
    return _entry(*projects.add_to_shortlist(db, principal, project_id, body.profile_id, body.note))


@router.get(
    "/{project_id}/shortlist",
    response_model=Page[ShortlistEntryPublic],
    summary="The shortlist; contact details only for candidates who consented to your enterprise",
)
def shortlist(
    project_id: ProjectId, db: UnitOfWorkDep, principal: EnterpriseUser, limit: Limit = 50, offset: Offset = 0
):
    rows, total = projects.shortlist(db, principal, project_id, limit=limit, offset=offset)
    return Page[ShortlistEntryPublic](
        items=[_entry(e, v) for e, v in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/{project_id}/shortlist/{profile_id}",
    response_model=ShortlistEntryPublic,
    summary="One shortlisted candidate",
)
def shortlist_entry(
    project_id: ProjectId, profile_id: ProfileId, db: UnitOfWorkDep, principal: EnterpriseUser
):
    return _entry(*projects.shortlist_entry(db, principal, project_id, profile_id))


@router.delete(
    "/{project_id}/shortlist/{profile_id}",
    status_code=204,
    summary="Take a candidate off the shortlist",
)
def remove_from_shortlist(
    project_id: ProjectId, profile_id: ProfileId, db: UnitOfWorkDep, principal: EnterpriseUser
):
    projects.remove_from_shortlist(db, principal, project_id, profile_id)
    return Response(status_code=204)


@router.post(
    "/{project_id}/feedback",
    status_code=201,
    response_model=FeedbackPublic,
    summary="Record what happened with a candidate (feeds the re-ranker)",
)
def record_feedback(
    project_id: ProjectId, body: FeedbackCreate, db: UnitOfWorkDep, principal: EnterpriseUser
):
    return FeedbackPublic.model_validate(
        projects.record_feedback(db, principal, project_id, body.profile_id, body.label, body.rank_shown)
    )


@router.get(
    "/{project_id}/feedback",
    response_model=Page[FeedbackPublic],
    summary="The feedback recorded on a project, oldest first",
)
def feedback(
    project_id: ProjectId, db: UnitOfWorkDep, principal: EnterpriseUser, limit: Limit = 50, offset: Offset = 0
):
    rows, total = projects.feedback(db, principal, project_id, limit=limit, offset=offset)
    return Page[FeedbackPublic](
        items=[FeedbackPublic.model_validate(f) for f in rows], total=total, limit=limit, offset=offset
    )
