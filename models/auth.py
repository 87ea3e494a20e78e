"""Principals and API keys: who is calling, in which role, for which tenant or profile.

A key is shown once, when it is made; only its SHA-256 is stored. Keys are 256 random bits, so a plain
(unsalted) hash is enough: there is nothing to brute-force that a salt would protect.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from models.storage.orm import ApiKey, Enterprise, TalentProfile, utcnow

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


def authenticate(session: Session, secret: str | None) -> Principal:
    """The principal of a live key; ``Unauthenticated`` (which never repeats the secret) otherwise."""
    if not secret:
        raise Unauthenticated("missing API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
    return principal_of_key_hash(session, hash_secret(secret))


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
