"""The needs catalogue (急需紧缺人才目录): editions, their files and entries, and diffs between editions.

Published editions (and the superseded ones before them) are open to every authenticated caller; drafts,
reviewed and discarded editions only to bureau analysts and admins (``models.catalogue.store``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from models.catalogue import store
from service.deps import PrincipalDep, SessionDep, SettingsDep, TaxonomyDep
from service.schemas import Limit, Offset, Page
from service.schemas.catalogue import (
    CatalogueDiff,
    CatalogueEntryPublic,
    EditionPublic,
    EditionStatus,
    Format,
    Urgency,
    edition_out,
)
from service.schemas.common import problem_responses

router = APIRouter(
    prefix="/v1/catalogue", tags=["catalogue"], responses=problem_responses(401, 403, 404, 422, 429, 503)
)
EditionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Edition id (see the list of editions)")]
Year = Annotated[int, Path(ge=1900, le=2999, description="Catalogue year")]
CodeFilter = Annotated[str | None, Query(min_length=1, max_length=40)]
MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


@router.get(
    "/editions",
    response_model=Page[EditionPublic],
    summary="Catalogue editions, newest first (drafts and reviewed ones for analysts and admins only)",
)
def editions(
    db: SessionDep,
    principal: PrincipalDep,
    limit: Limit = 50,
    offset: Offset = 0,
    year: Annotated[int | None, Query(ge=1900, le=2999)] = None,
    status: Annotated[EditionStatus | None, Query()] = None,
):
    rows, total = store.list_editions(db, principal, limit=limit, offset=offset, year=year, status=status)
    return Page[EditionPublic](
        items=[edition_out(e, principal) for e in rows], total=total, limit=limit, offset=offset
    )


@router.get(
    "/editions/{edition_id}/download",
    response_class=Response,
    summary="One of the edition's files, byte for byte as published (its sha256 is the ETag)",
    responses={
        200: {
            "description": "The file, as an attachment",
            "content": {media_type: {} for media_type in MEDIA_TYPES.values()},
        }
    },
)
def download(
    edition_id: EditionId,
    db: SessionDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    format: Annotated[Format, Query(description="Which file")] = "json",
):
    found = store.edition_file(db, principal, store.catalogue_root(settings.home), edition_id, format)
    return Response(
        found.content,
        media_type=MEDIA_TYPES[format],
        headers={
            "Content-Disposition": f'attachment; filename="{found.name}"',
            "ETag": f'"{found.sha256}"',
        },
    )


@router.get(
    "/editions/{edition_id}/entries",
    response_model=Page[CatalogueEntryPublic],
    summary="The edition's entries by chain and rank, filtered by chain, segment, zone and urgency",
)
def entries(
    edition_id: EditionId,
    db: SessionDep,
    taxonomy: TaxonomyDep,
    principal: PrincipalDep,
    limit: Limit = 50,
    offset: Offset = 0,
    industry: Annotated[CodeFilter, Query(description="Industry chain code, e.g. `NIT`")] = None,
    segment: Annotated[CodeFilter, Query(description="Chain segment, the entry's own or another")] = None,
    zone: Annotated[CodeFilter, Query(description="Function zone code, one of the entry's zones")] = None,
    urgency: Annotated[Urgency | None, Query()] = None,
):
    rows, total = store.entries(
        db,
        principal,
        taxonomy,
        edition_id,
        limit=limit,
        offset=offset,
        industry=industry,
        segment=segment,
        zone=zone,
        urgency=urgency,
    )
    return Page[CatalogueEntryPublic](
        items=[CatalogueEntryPublic.from_domain(e) for e in rows], total=total, limit=limit, offset=offset
    )


@router.get("/editions/{edition_id}", response_model=EditionPublic, summary="One edition")
def edition(edition_id: EditionId, db: SessionDep, principal: PrincipalDep):
    return edition_out(store.get_edition(db, principal, edition_id), principal)


@router.get(
    "/diff",
    response_model=CatalogueDiff,
    summary="Entries added, removed and whose urgency changed between two editions, each with its reason",
)
def diff(
    db: SessionDep,
    principal: PrincipalDep,
    from_id: Annotated[int, Query(alias="from", ge=1, le=2**31 - 1, description="The older edition")],
    to_id: Annotated[int, Query(alias="to", ge=1, le=2**31 - 1, description="The newer edition")],
):
    return CatalogueDiff.model_validate(store.diff_editions(db, principal, from_id, to_id))


@router.get("/{year}", response_model=EditionPublic, summary="The edition published for a year")
def published(year: Year, db: SessionDep, principal: PrincipalDep):
    return edition_out(store.published_edition(db, year), principal)
