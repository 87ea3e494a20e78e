"""For HR bureaus: forecasts with intervals, ranked shortages per chain, indicators, model versions and
retraining. Readers: ``bureau_analyst`` and ``admin``; promotion: ``admin`` only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from models import audit, forecast_registry
from models.auth import Principal, Role
from models.errors import NotFound
from models.forecast_store import ForecastHolder
from models.indicators import indicators as compute_indicators
from models.jobs import JobRunner
from service.bureau_state import ResponseCache
from service.deps import Admin, SessionDep, TaxonomyDep, UnitOfWorkDep, role
from service.schemas import Limit, Offset
from service.schemas.bureau import (
    ForecastLevel,
    ForecastPageOut,
    IndicatorsOut,
    JobOut,
    ModelDetailOut,
    ModelPage,
    ModelVersionOut,
    ShortagesOut,
    Target,
)
from service.schemas.common import problem_responses

router = APIRouter(prefix="/v1", tags=["bureau"], responses=problem_responses(401, 403, 422, 429, 503))

BureauReader = Annotated[Principal, Depends(role(Role.bureau_analyst, Role.admin))]
CodeQuery = Annotated[str | None, Query(min_length=1, max_length=40)]
Version = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
JobId = Annotated[str, Path(min_length=1, max_length=64)]


async def get_forecasts(request: Request) -> ForecastHolder:
    return request.app.state.forecasts


async def get_jobs(request: Request) -> JobRunner:
    return request.app.state.jobs


async def get_forecast_cache(request: Request) -> ResponseCache:
    return request.app.state.forecast_cache


Forecasts = Annotated[ForecastHolder, Depends(get_forecasts)]
Jobs = Annotated[JobRunner, Depends(get_jobs)]
Cache = Annotated[ResponseCache, Depends(get_forecast_cache)]


# The two read routes are ``async``: a cached answer is a dictionary look-up, served on the event loop
# without a thread hop; a miss computes in the thread pool.
@router.get(
    "/forecasts",
    response_model=ForecastPageOut,
    summary="Forecasts with 80/95% intervals and the recent history, by level and filters",
    description="`level` names the nodes returned; a filter on a dimension outside the level selects the "
    "cross level (`level=segment&zone=zhongguancun`: segments within that zone). Nodes add up across "
    "levels (bottom-up). Sorted by node; paginated.",
)
async def forecasts(
    request: Request,
    forecasts: Forecasts,
    cache: Cache,
    _: BureauReader,
    level: ForecastLevel = "segment",
    target: Target = "postings",
    horizon: Annotated[
        int | None,
        Query(ge=1, le=24, description="Months ahead (default: 12, or the run's horizon if shorter)"),
    ] = None,
    zone: CodeQuery = None,
    district: CodeQuery = None,
    cluster: CodeQuery = None,
    industry: CodeQuery = None,
    segment: CodeQuery = None,
    occupation: CodeQuery = None,
    history: Annotated[int, Query(ge=0, le=24, description="Observed months shown before the forecast")] = 12,
    limit: Limit = 50,
    offset: Offset = 0,
):
    run = forecasts.current()
    horizon = horizon or min(12, run.horizon)
    filters = {
        "zone": zone,
        "district": district,
        "cluster": cluster,
        "industry": industry,
        "segment": segment,
        "occupation": occupation,
    }
    key = ("forecasts", run.version, level, target, horizon, *filters.values(), history, limit, offset)
    body = cache.get(key)
    if body is None:

        def render() -> bytes:
            page = run.forecasts(
                request.app.state.taxonomy,
                level=level,
                target=target,
                horizon=horizon,
                filters=filters,
                limit=limit,
                offset=offset,
                history_months=history,
            )
            out = ForecastPageOut.from_domain(page, horizon=horizon, limit=limit, offset=offset)
            return out.model_dump_json().encode()

        body = await run_in_threadpool(render)
        cache.put(key, body)
    return Response(body, media_type="application/json")


@router.get(
    "/shortages",
    response_model=ShortagesOut,
    summary="Occupations most likely to be short, ranked per segment of a chain, with reasons (zh, en)",
)
async def shortages(
    request: Request,
    forecasts: Forecasts,
    cache: Cache,
    _: BureauReader,
    industry: CodeQuery = None,
    segment: CodeQuery = None,
    zone: CodeQuery = None,
    district: CodeQuery = None,
    horizon: Annotated[
        int | None,
        Query(ge=1, le=24, description="Months ahead: 6, 12 or 24 (default 12, or the run's horizon)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Occupations per segment")] = 10,
):
    run = forecasts.current()
    horizon = horizon or min(12, run.horizon)
    key = ("shortages", run.version, industry, segment, zone, district, horizon, limit)
    body = cache.get(key)
    if body is None:

        def render() -> bytes:
            taxonomy = request.app.state.taxonomy
            report = run.shortages(
                taxonomy,
                industry=industry,
                segment=segment,
                zone=zone,
                district=district,
                horizon=horizon,
                limit=limit,
            )
            out = ShortagesOut.from_domain(report, taxonomy, industry=industry, zone=zone, district=district)
            return out.model_dump_json().encode()

        body = await run_in_threadpool(render)
        cache.put(key, body)
    return Response(body, media_type="application/json")


@router.get(
    "/indicators",
    response_model=IndicatorsOut,
    summary="Scale, structure and change of a zone, a cluster or the city",
)
def indicators(
    db: SessionDep,
    taxonomy: TaxonomyDep,
    _: BureauReader,
    zone: CodeQuery = None,
    cluster: CodeQuery = None,
):
    return IndicatorsOut.from_domain(compute_indicators(db, taxonomy, zone=zone, cluster=cluster))


@router.get("/models", response_model=ModelPage, summary="Forecaster versions with their cards, newest first")
def models(db: SessionDep, _: BureauReader, limit: Limit = 50, offset: Offset = 0):
    rows = forecast_registry.list_versions(db)
    items = [ModelVersionOut.from_domain(r) for r in rows[offset : offset + limit]]
    return ModelPage(items=items, total=len(rows), limit=limit, offset=offset)


@router.get(
    "/models/{version}",
    response_model=ModelDetailOut,
    summary="One forecaster version: its card and backtest report",
    responses=problem_responses(404),
)
def model(version: Version, db: SessionDep, _: BureauReader):
    row = forecast_registry.get_version(db, version)
    return ModelDetailOut(
        **ModelVersionOut.from_domain(row).model_dump(), backtest=forecast_registry.backtest_report(row)
    )


@router.post(
    "/models/retrain",
    status_code=202,
    response_model=JobOut,
    summary="Start a forecast run in the background; poll the job; the new version serves once promoted",
    responses=problem_responses(409),
)
def retrain(
    response: Response,
    jobs: Jobs,
    principal: Annotated[Principal, Depends(role(Role.admin, Role.bureau_analyst))],
):
    job = jobs.submit(requested_by=principal.actor)
    response.headers["Location"] = f"/v1/jobs/{job.id}"
    return JobOut.from_domain(job)


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    summary="A background job's status and progress",
    responses=problem_responses(404),
)
def job(job_id: JobId, jobs: Jobs, principal: BureauReader):
    found = jobs.get(job_id)
    if found.kind != "retrain" and principal.role != Role.admin:  # index builds are the admin's
        raise NotFound(f"unknown job {job_id!r}", field="job_id")
    return JobOut.from_domain(found)


@router.post(
    "/models/{version}/promote",
    response_model=ModelVersionOut,
    summary="Make a version the serving forecaster (admin)",
    responses=problem_responses(404, 409),
)
def promote(version: Version, db: UnitOfWorkDep, forecasts: Forecasts, principal: Admin):
    row = forecast_registry.promote(db, version)
    audit.record(db, principal, "promote_model", "model_version", row.version, {"kind": row.kind})
    db.commit()  # before the swap below reads the pointer
    forecasts.swap_now()
    return ModelVersionOut.from_domain(row)
