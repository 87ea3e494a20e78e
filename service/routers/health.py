"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from models.storage.database import ping

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process answers")
def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Database reachable, reference data and the matching index loaded",
    responses={503: {"description": "Not ready; `checks` says what failed"}},
)
def readyz(request: Request):
    checks = {}
    try:
        ping(request.app.state.engine)
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready; the reason is reported
        checks["database"] = f"unreachable: {type(exc).__name__}"
    checks["taxonomy"] = "ok" if request.app.state.taxonomy is not None else "missing"
    holder = request.app.state.index_holder
    holder.refresh()
    checks["index"] = holder.status()
    ready = all(v == "ok" for v in checks.values())
    body = {"status": "ready" if ready else "not ready", "checks": checks, "index_version": holder.version}
    # Reported, not required: without a forecaster the rest of the API answers, and the bureau's
    # forecast routes answer 503 saying what to run.
    forecasts = getattr(request.app.state, "forecasts", None)
    if forecasts is not None:
        body["optional"] = {"forecaster": forecasts.status(refresh=True)}
        body["forecaster_version"] = forecasts.version
    return JSONResponse(body, status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics of this worker", response_class=PlainTextResponse)
def metrics(request: Request) -> PlainTextResponse:
    state = request.app.state
    gauges = {
        "talentcluster_taxonomy_loaded": float(state.taxonomy is not None),
        "talentcluster_matching_index_loaded": float(state.index_holder.version is not None),
    }
    return PlainTextResponse(state.metrics.render(gauges), media_type="text/plain; version=0.0.4")
