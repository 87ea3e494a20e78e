"""What the bureau routes need in ``app.state``, built in the lifespan: the serving forecast run and a
per-worker cache of rendered forecast responses (the retrain job runner: ``service.jobs``)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from fastapi import FastAPI

from models import forecast_registry
from models.forecast_store import ForecastHolder
from models.settings import Settings


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


def install(app: FastAPI, settings: Settings) -> None:
    """Load the serving forecast run (if any); called from the lifespan."""
    factory = app.state.session_factory

    def pointer():
        with factory() as session:
            return forecast_registry.serving_pointer(session)

    app.state.forecasts = ForecastHolder(pointer, refresh_seconds=settings.forecast_refresh_seconds).start()
    app.state.forecast_cache = ResponseCache()
