"""Request limits: body size and a per-key rate limit, both answered with problem documents.

The rate limit holds for the whole service on one host, not per worker: ``HostTokenBuckets`` keeps the
buckets in a small memory-mapped file that every worker process maps, so ``--workers 4`` does not give a
key four times the configured rate. ``TokenBuckets`` (one process's memory) is the fallback where that
file cannot be made. Several hosts behind a load balancer each count on their own.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("talentcluster.limits")


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


class HostTokenBuckets:
    """The same token buckets as ``TokenBuckets``, shared by every process that opens the same ``path``.

    The file is a fixed table of ``slots`` records (key digest, tokens, time) with open addressing over
    ``PROBES`` slots; each ``take`` holds an exclusive ``flock`` on it for a few microseconds. A slot whose
    bucket has refilled completely carries no information and is reused; when every probed slot is busy,
    the fullest bucket is overwritten, which can only hand that caller a fresh burst, never a false 429.
    Times are wall-clock seconds, the one clock that all processes (and a restart) agree on.
    """

    MAGIC = b"TCRLIM01"
    HEADER = struct.Struct("<8sQ")  # magic, slots
    RECORD = struct.Struct("<Qdd")  # key digest (0 = empty), tokens, at
    PROBES = 8

    def __init__(
        self,
        path: Path,
        rate_per_s: float,
        burst: int,
        *,
        slots: int = 65_536,
        clock: Callable[[], float] = time.time,
    ):
        self.rate_per_s = rate_per_s
        self.burst = burst
        self.slots = slots
        self.clock = clock
        size = self.HEADER.size + slots * self.RECORD.size
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self._lock = threading.Lock()  # flock does not exclude threads sharing this descriptor
        with self._locked_file():
            if os.fstat(self._fd).st_size != size:
                os.ftruncate(self._fd, 0)  # a table of another size, or a new file: start empty
                os.ftruncate(self._fd, size)
            self._map = mmap.mmap(self._fd, size)
            if self.HEADER.unpack_from(self._map, 0) != (self.MAGIC, slots):
                self._map[:] = bytes(size)
                self.HEADER.pack_into(self._map, 0, self.MAGIC, slots)

    @contextlib.contextmanager
    def _locked_file(self) -> Iterator[None]:
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _offset(self, slot: int) -> int:
        return self.HEADER.size + slot * self.RECORD.size

    def take(self, key: str) -> float:
        """Take one token; return 0 if granted, else the seconds until one is available."""
        digest = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little") or 1
        start = digest % self.slots
        with self._locked_file():
            now = self.clock()
            found, victim, victim_tokens = None, start, -1.0
            for probe in range(self.PROBES):
                slot = (start + probe) % self.slots
                held, stored, at = self.RECORD.unpack_from(self._map, self._offset(slot))
                tokens = min(float(self.burst), stored + max(0.0, now - at) * self.rate_per_s)
                if held == digest:
                    found = slot
                    break
                if held == 0:
                    tokens = float(self.burst)
                if tokens > victim_tokens:  # the bucket whose loss forgets the least
                    victim, victim_tokens = slot, tokens
            if found is None:
                found, tokens = victim, float(self.burst)
            granted = tokens >= 1
            self.RECORD.pack_into(self._map, self._offset(found), digest, tokens - granted, now)
        return 0.0 if granted else (1 - tokens) / self.rate_per_s

    def close(self) -> None:
        self._map.close()
        os.close(self._fd)


def rate_limiter(path: Path, rate_per_s: float, burst: int) -> HostTokenBuckets | TokenBuckets:
    """Buckets shared by the workers of this host in ``path``; this process's own if that fails (a
    read-only home, say), with a warning, since the limit then multiplies with the workers."""
    try:
        return HostTokenBuckets(path, rate_per_s, burst)
    except OSError as exc:
        log.warning("rate limits per worker process: cannot share %s (%s)", path, exc)
        return TokenBuckets(rate_per_s, burst)


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
