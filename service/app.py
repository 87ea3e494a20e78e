"""The FastAPI application factory. Everything is built in the lifespan, nothing at import time."""

from __future__ import annotations

import json
import logging
import os
import re
import time
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from starlette.requests import Request as StarletteRequest

from models.auth import PrincipalCache
from models.errors import RateLimited
from models.matching.index_store import MatchingIndex
from models.matching.serving import IndexHolder
from models.profiles import ProfileIndex
from models.settings import Settings
from models.storage.database import make_engine, session_factory
from models.taxonomy import Taxonomy
from service import bureau_state, errors, jobs, openapi
from service.console import web as console
from service.limits import BodyLimit, caller_key, rate_limiter
from service.metrics import RequestMetrics
from service.routers import admin, bureau, catalogue, health, matching, profiles, projects, reference

log = logging.getLogger("talentcluster.access")
settings_log = logging.getLogger("talentcluster.settings")
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SECRETS = re.compile(r"(tck_[A-Za-z0-9_-]+|(?i:bearer)\s+\S+)")


def redact(text: str) -> str:
    """Mask anything shaped like an API key, in case one ever reaches a log message by mistake."""
    return SECRETS.sub("[redacted]", text)


class JsonFormatter(logging.Formatter):
    """One JSON object per line; ``extra`` fields are included, nothing else is added."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact(record.getMessage()),
        }
        for key in ("request_id", "method", "path", "status", "ms"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def index_holder(settings: Settings, taxonomy: Taxonomy, encoder=None) -> IndexHolder:
    """The matching index of this worker: the version ``<home>/index/CURRENT`` names, read-only, and
    newer versions swapped in as they are published. The encoder and the taxonomy matcher are made on
    the first load (none while no index exists) and shared by every later version."""
    made: dict = {}

    def load(version_dir):
        if not made:
            from models.matching.encoder import Encoder
            from models.matching.runtime import configure_serving_threads
            from models.matching.taxonomy_channel import OccupationMatcher

            configure_serving_threads()
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # models are local directories, never fetched
            made["encoder"] = encoder or Encoder(
                settings.embedding_model or None, precision=settings.embedding_precision
            )
            made["matcher"] = OccupationMatcher(taxonomy.occupations.values())
            made["districts"] = {code: z.district_code for code, z in taxonomy.zones.items()}
        return MatchingIndex.load(version_dir, made["encoder"], made["matcher"], made["districts"])

    return IndexHolder(settings.index_dir, load, refresh_seconds=settings.index_refresh_seconds)


def create_app(
    settings: Settings | None = None, *, profile_index: ProfileIndex | None = None, encoder=None
) -> FastAPI:
    """The app. ``profile_index`` is what profile deletion tells to forget a person; by default the
    matching index the lifespan loads. ``encoder`` replaces the one made from the settings (tests share
    one loaded model)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.settings = settings
        app.state.engine = make_engine(settings.resolved_database_url)
        app.state.session_factory = session_factory(app.state.engine)
        app.state.taxonomy = Taxonomy.load(settings.reference_dir)
        app.state.index_holder = index_holder(settings, app.state.taxonomy, encoder).start()
        app.state.profile_index = profile_index or app.state.index_holder
        bureau_state.install(app, settings)
        jobs.install(app, settings)
        app.state.rate_limiter = rate_limiter(
            settings.home / "run" / "rate-limits",
            settings.rate_limit_per_minute / 60,
            settings.rate_limit_burst,
        )
        for name in settings.development_secrets():  # refused outright with TALENTCLUSTER_ENV=production
            settings_log.warning("TALENTCLUSTER_%s is the development default; set your own", name.upper())
        yield
        app.state.index_holder.wait_for_loader(timeout=30)
        app.state.engine.dispose()
        getattr(app.state.rate_limiter, "close", lambda: None)()

    app = FastAPI(
        title="TalentCluster API",
        version="1",
        summary="Talent-shortage forecasts, talent ↔ project matching and the needs catalogue for Beijing's "
        "industry-chain talent clusters.",
        lifespan=lifespan,
    )
    errors.install(app)
    openapi.install(app)
    app.state.metrics = RequestMetrics()
    app.state.principals = PrincipalCache(settings.api_key_cache_seconds)

    def too_large(scope, limit: int):
        detail = f"request body larger than {limit} bytes"
        return errors.problem(StarletteRequest(scope), 413, detail, field="body")

    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, reject=too_large)

    @app.middleware("http")
    async def rate_limit(request: Request, call_next):
        if request.url.path in UNLIMITED_PATHS:
            return await call_next(request)
        key = caller_key(
            request.headers.get("authorization"),
            request.headers.get("x-api-key"),
            request.client.host if request.client else None,
        )
        wait = app.state.rate_limiter.take(key)
        if wait:
            limited = RateLimited(wait)
            return errors.problem(request, 429, limited.message, headers=limited.headers)
        return await call_next(request)

    @app.middleware("http")
    async def request_id(request: Request, call_next):
        sent = request.headers.get("x-request-id", "")
        request.state.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["x-request-id"] = request.state.request_id
        route = request.scope.get("route")
        app.state.metrics.observe(
            request.method,
            getattr(route, "path", "unmatched"),
            response.status_code,
            time.perf_counter() - started,
        )
        log.info(
            "request",
            extra={
                "request_id": request.state.request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response

    app.include_router(health.router)
    app.include_router(reference.router)
    app.include_router(projects.router)
    app.include_router(matching.router)
    app.include_router(profiles.router)
    app.include_router(catalogue.router)
    app.include_router(admin.router)
    app.include_router(bureau.router)
    console.install(app)
    return app
