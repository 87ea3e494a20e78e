"""Administration: enterprises (tenants), API keys and the matching index's builds. Admins manage
access and operations; they see no business data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from models import auth
from models.index_status import index_status
from service.deps import Admin, PrincipalCacheDep, SessionDep, UnitOfWorkDep
from service.schemas import Limit, Offset, Page
from service.schemas.admin import (
    ApiKeyCreate,
    ApiKeyIssued,
    ApiKeyPublic,
    EnterpriseCreate,
    EnterprisePublic,
    IndexStatusOut,
)
from service.schemas.bureau import JobOut
from service.schemas.common import problem_responses

router = APIRouter(
    prefix="/v1/admin", tags=["admin"], responses=problem_responses(401, 403, 409, 413, 422, 429, 503)
)
KeyId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post(
    "/enterprises", status_code=201, response_model=EnterprisePublic, summary="Create an enterprise (tenant)"
)
def create_enterprise(body: EnterpriseCreate, db: UnitOfWorkDep, _: Admin):
    return EnterprisePublic.model_validate(auth.create_enterprise(db, body.code, body.name))


@router.get("/enterprises", response_model=Page[EnterprisePublic], summary="Enterprises, oldest first")
def enterprises(db: UnitOfWorkDep, _: Admin, limit: Limit = 50, offset: Offset = 0):
    rows, total = auth.list_enterprises(db, limit=limit, offset=offset)
    return Page[EnterprisePublic](
        items=[EnterprisePublic.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )


@router.post(
    "/api-keys",
    status_code=201,
    response_model=ApiKeyIssued,
    summary="Issue an API key; the secret is in this response only",
)
def create_api_key(body: ApiKeyCreate, db: UnitOfWorkDep, _: Admin):
    issued = auth.create_api_key(
        db, body.role, tenant=body.tenant, profile_id=body.profile_id, label=body.label
    )
    return ApiKeyIssued(
        **ApiKeyPublic.from_domain(issued.key, body.tenant).model_dump(), secret=issued.secret
    )


@router.get("/api-keys", response_model=Page[ApiKeyPublic], summary="API keys (never their secrets)")
def api_keys(
    db: UnitOfWorkDep,
    _: Admin,
    limit: Limit = 50,
    offset: Offset = 0,
    include_revoked: Annotated[bool, Query()] = False,
):
    rows = auth.list_api_keys(db, include_revoked=include_revoked)
    items = [ApiKeyPublic.from_domain(k, tenant) for k, tenant in rows[offset : offset + limit]]
    return Page[ApiKeyPublic](items=items, total=len(rows), limit=limit, offset=offset)


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyPublic, summary="Revoke an API key at once")
def revoke_api_key(key_id: KeyId, db: UnitOfWorkDep, principals: PrincipalCacheDep, _: Admin):
    """Refused at once by this worker; by the others within ``TALENTCLUSTER_API_KEY_CACHE_SECONDS``."""
    key, tenant = auth.revoke_api_key(db, key_id)
    db.commit()  # before forgetting: a request racing this one must not cache the key as live again
    principals.forget(key_hash=key.key_hash)
    return ApiKeyPublic.from_domain(key, tenant)


@router.get(
    "/index",
    response_model=IndexStatusOut,
    summary="The published matching index and what the database changed since it was built",
)
def matching_index(request: Request, db: SessionDep, _: Admin):
    return IndexStatusOut.from_domain(index_status(db, request.app.state.settings.index_dir))


@router.post(
    "/index/builds",
    status_code=202,
    response_model=JobOut,
    summary="Rebuild the matching index from the database in the background; poll the job. Workers "
    "serve the new version as soon as it is published, without dropping requests",
)
def build_matching_index(request: Request, response: Response, principal: Admin):
    job = request.app.state.index_jobs.submit(requested_by=principal.actor)
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return JobOut.from_domain(job)
