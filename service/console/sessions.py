"""Console sessions: an HttpOnly cookie naming a server-side session, and the CSRF check that goes with it.

The browser holds two cookies, both ``SameSite=Strict``: ``tc_session`` (HttpOnly, a random id whose
SHA-256 alone is stored) and ``tc_csrf`` (readable by the console's script, which echoes it in the
``X-CSRF-Token`` header of every state change). The session keeps the hash of the API key it was opened
with, never the key, and resolves the principal from it on every request, so revoking the key ends the
session at once. Sessions live in this process's memory: they end with it, and ``--workers N > 1`` needs
a shared store behind the same three methods.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from fastapi import Request

from models.errors import Forbidden, Unauthenticated

SESSION_COOKIE = "tc_session"
CSRF_COOKIE = "tc_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ConsoleSession:
    key_hash: str  # the API key's stored hash, which only the server can turn into a principal
    csrf_hash: str
    expires_at: float  # time.time() seconds

    def csrf_matches(self, token: str) -> bool:
        return hmac.compare_digest(_digest(token), self.csrf_hash)


@dataclass(frozen=True)
class OpenedSession:
    """A new session: the two tokens exist only here and in the cookies of one response."""

    session_id: str
    csrf_token: str
    expires_at: float


class SessionStore:
    """Sessions by the hash of their id, each expiring ``ttl_seconds`` after login (absolute)."""

    def __init__(self, ttl_seconds: int = 8 * 3600):
        self.ttl_seconds = ttl_seconds
        self._sessions: dict[str, ConsoleSession] = {}
        self._lock = threading.Lock()

    def open(self, key_hash: str) -> OpenedSession:
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = time.time()
        record = ConsoleSession(key_hash, _digest(csrf), now + self.ttl_seconds)
        with self._lock:
            self._sessions = {h: s for h, s in self._sessions.items() if s.expires_at > now}
            self._sessions[_digest(session_id)] = record
        return OpenedSession(session_id, csrf, record.expires_at)

    def get(self, session_id: str) -> ConsoleSession | None:
        with self._lock:
            record = self._sessions.get(_digest(session_id))
        if record is None or record.expires_at <= time.time():
            return None
        return record

    def close(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(_digest(session_id), None)


def store(request: Request) -> SessionStore:
    return request.app.state.console_sessions


def check_csrf(request: Request, session: ConsoleSession) -> None:
    """A state change made with the session cookie must carry the CSRF token twice, in its cookie and in
    the header, both equal to the session's own (so a cookie planted by a sibling site does not pass)."""
    if request.method in SAFE_METHODS:
        return
    header = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not header or not cookie:
        raise Forbidden(f"missing CSRF token: send the {CSRF_COOKIE} cookie's value in {CSRF_HEADER}")
    if not (hmac.compare_digest(header, cookie) and session.csrf_matches(header)):
        raise Forbidden(f"CSRF token mismatch: {CSRF_HEADER} must equal this session's {CSRF_COOKIE}")


def cookie_session(request: Request) -> ConsoleSession | None:
    """The live console session named by the request's cookie, CSRF-checked for state changes; None
    without a cookie; ``Unauthenticated`` for an unknown or expired one."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    session = store(request).get(session_id)
    if session is None:
        raise Unauthenticated("the console session is unknown or expired; log in again")
    check_csrf(request, session)
    return session
