"""Request limits: body size and a per-key rate limit, both answered with problem documents."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class TokenBuckets:
    """One token bucket per key: ``burst`` tokens, refilled at ``rate_per_s``. In memory, per process.

    ``take`` is O(1); buckets that have refilled completely carry no information and are dropped when the
    table grows past ``max_keys``, so memory stays bounded under many distinct callers.
    """

    def __init__(
        self,
        rate_per_s: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ):
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token; return 0 if granted, else the seconds until one is available."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate_per_s)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > self.max_keys:
                    self._forget_full(now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate_per_s

    def _forget_full(self, now: float) -> None:
        full = [k for k, (t, at) in self._buckets.items() if t + (now - at) * self.rate_per_s >= self.burst]
        for key in full:
            del self._buckets[key]


def caller_key(authorization: str | None, api_key: str | None, client_host: str | None) -> str:
    """The rate-limit key: a hash of the credential presented (so that no secret is held in memory as a
    dictionary key, and wrong keys are limited too), or the client address for anonymous calls."""
    credential = api_key or (authorization or "").partition(" ")[2].strip()
    if credential:
        return "key:" + hashlib.sha256(credential.encode()).hexdigest()[:32]
    return f"ip:{client_host or 'unknown'}"


class BodyTooLarge(HTTPException):
    field = "body"

    def __init__(self, limit: int):
        super().__init__(413, f"request body larger than {limit} bytes")


class BodyLimit:
    """ASGI middleware refusing bodies over ``max_bytes``: at once when Content-Length says so, otherwise
    as soon as the streamed body passes the limit (the route never sees a truncated body)."""

    def __init__(self, app: ASGIApp, max_bytes: int, reject: Callable[[Scope, int], object]):
        self.app = app
        self.max_bytes = max_bytes
        self.reject = reject  # builds the 413 response for a scope

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = self.reject(scope, self.max_bytes)
            await response(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, limited, send)
