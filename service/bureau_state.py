"""What the bureau routes need in ``app.state``, built in the lifespan: the serving forecast run, the
retrain job runner, and a per-worker cache of rendered forecast responses."""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable

from fastapi import FastAPI

from models import forecast_registry
from models.forecast_store import ForecastHolder
from models.jobs import JobRunner
from models.settings import Settings

# A child process, not an import: the service never imports the training code (import-linter contract).
RETRAIN_COMMAND = ("-m", "talentcluster", "forecast", "train", "--store", "--progress", "json", "--jobs", "1")


class ResponseCache:
    """Rendered JSON bodies by request key (the key includes the model version), least recently used
    evicted past ``max_entries``. Per worker; a new version simply stops hitting the old keys."""

    def __init__(self, max_entries: int = 4096):
        self.max_entries = max_entries
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)


def retrain_env(settings: Settings) -> dict[str, str]:
    """The child's settings: those this app was built with (which need not come from the environment)."""
    import json

    return {
        "TALENTCLUSTER_HOME": str(settings.home),
        "TALENTCLUSTER_DATABASE_URL": settings.resolved_database_url,
        "TALENTCLUSTER_REFERENCE_DIR": str(settings.reference_dir),
        "TALENTCLUSTER_FORECAST_HORIZON": str(settings.forecast_horizon),
        "TALENTCLUSTER_FORECAST_PARAMS": json.dumps(settings.forecast_params),
    }


def install(app: FastAPI, settings: Settings) -> None:
    """Load the serving forecast run (if any) and set up the job runner; called from the lifespan."""
    factory = app.state.session_factory

    def pointer():
        with factory() as session:
            return forecast_registry.serving_pointer(session)

    app.state.forecasts = ForecastHolder(pointer, refresh_seconds=settings.forecast_refresh_seconds).start()
    app.state.forecast_cache = ResponseCache()
    app.state.jobs = JobRunner(
        settings.home / "jobs", [sys.executable, *RETRAIN_COMMAND], kind="retrain", env=retrain_env(settings)
    )
