"""Console sessions: an HttpOnly cookie naming a server-side session, and the CSRF check that goes with it.

The browser holds two cookies, both ``SameSite=Strict``: ``tc_session`` (HttpOnly, a random id whose
SHA-256 alone is stored) and ``tc_csrf`` (readable by the console's script, which echoes it in the
``X-CSRF-Token`` header of every state change). The session keeps the hash of the API key it was opened
with, never the key, and resolves the principal from it on every request, so revoking the key ends the
session. Sessions are rows of the database (``console_session``), so every worker process sees the same
ones: ``--workers N`` needs nothing more, and a restart logs nobody out.
"""

from __future__ import annotations

import hmac

from fastapi import Request
from sqlalchemy.orm import Session

from models import auth
from models.errors import Forbidden, Unauthenticated
from models.storage.orm import ConsoleSession

SESSION_COOKIE = "tc_session"
CSRF_COOKIE = "tc_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SessionStore:
    """Console sessions in the database, each expiring ``ttl_seconds`` after login (absolute)."""

    def __init__(self, ttl_seconds: int = 8 * 3600):
        self.ttl_seconds = ttl_seconds

    def open(self, db: Session, key_hash: str) -> auth.OpenedSession:
        return auth.open_console_session(db, key_hash, self.ttl_seconds)

    def get(self, db: Session, session_id: str) -> ConsoleSession | None:
        return auth.live_console_session(db, session_id)

    def close(self, db: Session, session_id: str) -> None:
        auth.close_console_session(db, session_id)


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
    if not (hmac.compare_digest(header, cookie) and auth.csrf_matches(session, header)):
        raise Forbidden(f"CSRF token mismatch: {CSRF_HEADER} must equal this session's {CSRF_COOKIE}")


def cookie_session(request: Request) -> ConsoleSession | None:
    """The live console session named by the request's cookie, CSRF-checked for state changes; None
    without a cookie; ``Unauthenticated`` for an unknown or expired one. Reads the database (a primary-key
    lookup), so a logout on one worker ends the session on all of them at once."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    with request.app.state.session_factory() as db:
        session = store(request).get(db, session_id)
    if session is None:
        raise Unauthenticated("the console session is unknown or expired; log in again")
    check_csrf(request, session)
    return session
