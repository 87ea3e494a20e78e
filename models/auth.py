"""Principals, API keys and console sessions: who is calling, in which role, for which tenant or profile.

A key is shown once, when it is made; only its SHA-256 is stored. Keys are 256 random bits, so a plain
(unsalted) hash is enough: there is nothing to brute-force that a salt would protect. The same holds for
console session ids and CSRF tokens, which are stored as SHA-256 only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from models.storage.orm import ApiKey, ConsoleSession, Enterprise, TalentProfile, utcnow

KEY_PREFIX = "tck_"
ENTERPRISE_CODE = re.compile(r"^[a-z0-9-]{2,40}$")


class Role(StrEnum):
    bureau_analyst = "bureau_analyst"  # HR bureau: forecasts, indicators, catalogues; never PII
    enterprise_user = "enterprise_user"  # one tenant's projects, shortlists, feedback
    talent = "talent"  # one person's own profile
    admin = "admin"  # enterprises and keys; no business data


@dataclass(frozen=True)
class Principal:
    """The caller, as established from an API key. ``tenant`` is the enterprise code."""

    key_id: int
    role: Role
    enterprise_id: int | None = None
    tenant: str | None = None
    profile_id: int | None = None

    @property
    def actor(self) -> str:
        """How the audit log names the caller: the key, never its secret."""
        return f"api_key:{self.key_id}"

    def require(self, *roles: Role) -> Principal:
        """This principal, if its role is one of ``roles``; otherwise ``Forbidden``."""
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"role {self.role.value!r} may not do this; allowed: {allowed}")
        return self


@dataclass(frozen=True)
class IssuedKey:
    """A freshly made key: ``secret`` exists only here and in the one response that shows it."""

    key: ApiKey
    secret: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_enterprise(session: Session, code: str, name: str) -> Enterprise:
    """A new tenant. ``code`` is a slug ``[a-z0-9-]{2,40}``, as in the import format."""
    if not ENTERPRISE_CODE.fullmatch(code):
        raise InvalidInput(f"enterprise code {code!r} must match [a-z0-9-]{{2,40}}", field="code")
    if session.scalar(select(Enterprise.id).where(Enterprise.code == code)) is not None:
        raise Conflict(f"enterprise {code!r} exists already", field="code")
    enterprise = Enterprise(code=code, name=name)
    session.add(enterprise)
    session.flush()
    return enterprise


def list_enterprises(session: Session, *, limit: int, offset: int) -> tuple[list[Enterprise], int]:
    total = session.scalar(select(func.count()).select_from(Enterprise)) or 0
    rows = session.scalars(select(Enterprise).order_by(Enterprise.id).limit(limit).offset(offset)).all()
    return list(rows), total


def enterprise_by_code(session: Session, code: str) -> Enterprise:
    enterprise = session.scalar(select(Enterprise).where(Enterprise.code == code))
    if enterprise is None:
        raise NotFound(f"unknown enterprise {code!r}", field="tenant")
    return enterprise


def create_api_key(
    session: Session,
    role: Role | str,
    *,
    tenant: str | None = None,
    profile_id: int | None = None,
    label: str = "",
) -> IssuedKey:
    """A new key for ``role``: ``tenant`` (enterprise code) is required for, and only for,
    ``enterprise_user``; ``profile_id`` for, and only for, ``talent``."""
    try:
        role = Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {role!r}; one of {choices}", field="role") from None
    if (role is Role.enterprise_user) != (tenant is not None):
        raise InvalidInput(
            "a tenant is required for enterprise_user keys and refused for others", field="tenant"
        )
    if (role is Role.talent) != (profile_id is not None):
        raise InvalidInput("a profile is required for talent keys and refused for others", field="profile_id")
    enterprise_id = enterprise_by_code(session, tenant).id if tenant is not None else None
    if profile_id is not None and session.get(TalentProfile, profile_id) is None:
        raise NotFound(f"unknown profile {profile_id}", field="profile_id")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        key_hash=hash_secret(secret),
        prefix=secret[:12],
        role=role.value,
        enterprise_id=enterprise_id,
        profile_id=profile_id,
        label=label,
    )
    session.add(key)
    session.flush()
    return IssuedKey(key=key, secret=secret)


def presented_key_hash(secret: str | None) -> str:
    """The hash under which a presented key is stored; ``Unauthenticated`` when none was presented."""
    if not secret:
        raise Unauthenticated("missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    return hash_secret(secret)


def authenticate(session: Session, secret: str | None) -> Principal:
    """The principal of a live key; ``Unauthenticated`` (which never repeats the secret) otherwise."""
    return principal_of_key_hash(session, presented_key_hash(secret))


def principal_of_key_hash(session: Session, key_hash: str) -> Principal:
    """The principal of the live key with this hash: how a console session, which keeps only the hash of
    the key it was opened with, resolves its caller on every request (so revoking the key ends it)."""
    row = session.execute(
        select(ApiKey, Enterprise.code)
        .outerjoin(Enterprise, Enterprise.id == ApiKey.enterprise_id)
        .where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    ).first()
    if row is None:
        raise Unauthenticated("invalid or revoked API key")
    key, tenant = row
    return Principal(
        key_id=key.id,
        role=Role(key.role),
        enterprise_id=key.enterprise_id,
        tenant=tenant,
        profile_id=key.profile_id,
    )


def list_api_keys(session: Session, *, include_revoked: bool = False) -> list[tuple[ApiKey, str | None]]:
    """Keys with their tenant's code, oldest first."""
    query = select(ApiKey, Enterprise.code).outerjoin(Enterprise, Enterprise.id == ApiKey.enterprise_id)
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return [(key, code) for key, code in session.execute(query.order_by(ApiKey.id)).all()]


def revoke_api_key(session: Session, key_id: int) -> tuple[ApiKey, str | None]:
    """Revoke a key (idempotent: revoking twice keeps the first time); returns it with its tenant's code."""
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound(f"unknown API key {key_id}", field="key_id")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.flush()
    tenant = session.get(Enterprise, key.enterprise_id).code if key.enterprise_id is not None else None
    return key, tenant


class PrincipalCache:
    """Principals of live keys by key hash, each kept ``ttl_seconds``: most requests skip the key lookup.

    ``forget`` drops a key at once in this process (revocation, profile deletion); another worker process
    keeps it at most ``ttl_seconds`` more, which bounds how long a revoked key still works there.
    ``ttl_seconds=0`` looks every key up. Unknown keys are never cached, so a new key works at once.
    Bounded: past ``max_entries`` the least recently used key is dropped.
    """

    def __init__(
        self, ttl_seconds: float, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._items: OrderedDict[str, tuple[Principal, float]] = OrderedDict()  # hash -> (principal, until)
        self._generation = 0  # bumped by forget: a lookup that raced with it is not cached
        self._lock = threading.Lock()

    def principal(self, key_hash: str, lookup: Callable[[str], Principal]) -> Principal:
        """The cached principal of ``key_hash``, else ``lookup(key_hash)`` (whose errors pass through)."""
        now = self.clock()
        with self._lock:
            hit = self._items.get(key_hash)
            if hit is not None and hit[1] > now:
                self._items.move_to_end(key_hash)
                return hit[0]
            generation = self._generation
        principal = lookup(key_hash)
        if self.ttl_seconds > 0:
            with self._lock:
                if generation == self._generation:
                    self._items[key_hash] = (principal, now + self.ttl_seconds)
                    self._items.move_to_end(key_hash)
                    while len(self._items) > self.max_entries:
                        self._items.popitem(last=False)
        return principal

    def forget(self, *, key_hash: str | None = None, profile_id: int | None = None) -> None:
        """Drop a key by its hash, or every key of a profile, so that this process looks them up again."""
        with self._lock:
            self._generation += 1
            for cached_hash, (principal, _) in list(self._items.items()):
                if cached_hash == key_hash or (profile_id is not None and principal.profile_id == profile_id):
                    del self._items[cached_hash]

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class OpenedSession:
    """A new console session: the two tokens exist only here and in the cookies of one response."""

    session_id: str
    csrf_token: str
    expires_at: datetime


def open_console_session(session: Session, key_hash: str, ttl_seconds: float) -> OpenedSession:
    """A console session for the key with ``key_hash``, ending ``ttl_seconds`` from now whatever the
    activity (absolute expiry). Expired sessions are deleted on the way (the table stays small)."""
    now = utcnow()
    session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at <= now))
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires_at = now + timedelta(seconds=ttl_seconds)
    session.add(
        ConsoleSession(
            id_hash=hash_secret(session_id),
            key_hash=key_hash,
            csrf_hash=hash_secret(csrf),
            created_at=now,
            expires_at=expires_at,
        )
    )
    session.flush()
    return OpenedSession(session_id, csrf, expires_at)


def live_console_session(session: Session, session_id: str) -> ConsoleSession | None:
    """The unexpired console session with this id, or None."""
    return session.scalar(
        select(ConsoleSession).where(
            ConsoleSession.id_hash == hash_secret(session_id), ConsoleSession.expires_at > utcnow()
        )
    )


def close_console_session(session: Session, session_id: str) -> None:
    session.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == hash_secret(session_id)))


def csrf_matches(console: ConsoleSession, token: str) -> bool:
    return hmac.compare_digest(hash_secret(token), console.csrf_hash)
