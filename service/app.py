"""The FastAPI application factory. Everything is built in the lifespan, nothing at import time."""

from __future__ import annotations

import json
import logging
import time
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from models.settings import Settings
from models.storage.database import make_engine, session_factory
from models.taxonomy import Taxonomy
from service import errors
from service.routers import health, reference

log = logging.getLogger("talentcluster.access")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra`` fields are included, nothing else is added."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": self.formatTime(record), "level": record.levelname, "logger": record.name,
                 "msg": record.getMessage()}
        for key in ("request_id", "method", "path", "status", "ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.engine = make_engine(settings.resolved_database_url)
        app.state.session_factory = session_factory(app.state.engine)
        app.state.taxonomy = Taxonomy.load(settings.reference_dir)
        yield
        app.state.engine.dispose()

    app = FastAPI(
        title="TalentCluster API",
        version="1",
        summary="Talent-shortage forecasts, talent ↔ project matching and the needs catalogue for Beijing's "
        "industry-chain talent clusters.",
        lifespan=lifespan,
    )
    errors.install(app)

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        request.state.request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = request.state.request_id
        log.info("request", extra={"request_id": request.state.request_id, "method": request.method,
                                   "path": request.url.path, "status": response.status_code,
                                   "ms": round((time.perf_counter() - started) * 1000, 2)})
        return response

    app.include_router(health.router)
    app.include_router(reference.router)
    return app
