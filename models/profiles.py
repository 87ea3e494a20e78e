"""Talent profiles as their owners manage them: register, read, correct, consent, delete.

A profile is split in two rows: the searchable ``talent_profile`` under a pseudonym and the PII in
``talent_pii``. Deleting a profile removes both, its consents, its shortlist entries, its feedback and its
keys, asks the matching index (if one is wired) to forget it, and leaves an audit event without PII.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple, Protocol

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import audit
from models.auth import IssuedKey, Principal, Role, create_api_key
from models.errors import InvalidInput, NotFound
from models.storage.orm import (
    ApiKey,
    ConsentScope,
    MatchFeedback,
    ShortlistEntry,
    TalentPII,
    TalentProfile,
)
from models.talent import pseudonym, validate_scopes
from models.taxonomy import Taxonomy

PROFILE_FIELDS = (
    "summary",
    "titles",
    "skills",
    "education_level",
    "field_of_study",
    "years_experience",
    "talent_level",
    "zone_code",
    "occupation_code",
    "age_band",
    "publications",
    "patents",
    "languages",
)
PII_FIELDS = ("name", "phone", "id_number", "email")


class Registration(NamedTuple):
    profile: TalentProfile
    pii: TalentPII
    scopes: list[str]
    key: IssuedKey


class ProfileIndex(Protocol):
    """What profile deletion needs from the matching index: forget these profile ids."""

    def delete(self, ids: Iterable[int]) -> None: ...


def known_code(choices: Mapping[str, Any], code: str, kind: str, field: str) -> str:
    """``code`` if the reference data has it; ``InvalidInput`` naming ``field`` otherwise (a 422: the
    request is wrong, nothing was looked up by URL)."""
    if code not in choices:
        hint = f"; one of {', '.join(sorted(choices))}" if len(choices) <= 40 else ""
        raise InvalidInput(f"unknown {kind} {code!r}{hint}", field=field)
    return code


def _check_profile_codes(taxonomy: Taxonomy, fields: Mapping[str, Any]) -> None:
    if "talent_level" in fields:
        known_code(taxonomy.talent_levels, fields["talent_level"], "talent level", "talent_level")
    if "zone_code" in fields:
        known_code(taxonomy.zones, fields["zone_code"], "zone", "zone_code")
    if fields.get("occupation_code") is not None:
        known_code(taxonomy.occupations, fields["occupation_code"], "occupation", "occupation_code")


def get_profile(session: Session, profile_id: int) -> TalentProfile:
    profile = session.get(TalentProfile, profile_id)
    if profile is None:
        raise NotFound(f"unknown profile {profile_id}", field="profile_id")
    return profile


def scopes_of(session: Session, profile_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each profile's consent scopes (empty set for a profile without any)."""
    ids = list(profile_ids)
    out: dict[int, set[str]] = {i: set() for i in ids}
    if ids:
        for pid, scope in session.execute(
            select(ConsentScope.profile_id, ConsentScope.scope).where(ConsentScope.profile_id.in_(ids))
        ):
            out[pid].add(scope)
    return out


def register_profile(
    session: Session,
    taxonomy: Taxonomy,
    *,
    profile: Mapping[str, Any],
    pii: Mapping[str, str],
    consent_scopes: list[str],
    pseudonym_key: str,
) -> Registration:
    """A new profile with its PII and consents, and the one talent key bound to it."""
    _check_profile_codes(taxonomy, profile)
    scopes = validate_scopes(consent_scopes)
    unknown = set(profile) - set(PROFILE_FIELDS) | set(pii) - set(PII_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown profile field(s) {sorted(unknown)}", field=sorted(unknown)[0])
    external_ref = f"self-{uuid.uuid4().hex}"
    row = TalentProfile(
        external_ref=external_ref, pseudonym=pseudonym(external_ref, pseudonym_key), **profile
    )
    session.add(row)
    session.flush()
    session.add(TalentPII(profile_id=row.id, **pii))
    session.add_all(ConsentScope(profile_id=row.id, scope=s) for s in scopes)
    key = create_api_key(session, Role.talent, profile_id=row.id, label="self-registration")
    session.flush()
    return Registration(row, pii_of(session, row.id), sorted(scopes), key)


def pii_of(session: Session, profile_id: int) -> TalentPII:
    return session.get(TalentPII, profile_id) or TalentPII(profile_id=profile_id)


def read_own_profile(session: Session, principal: Principal) -> tuple[TalentProfile, TalentPII, list[str]]:
    """The caller's own profile, PII and scopes. Reading one's own PII is audited like any other read."""
    profile = get_profile(session, _own_id(principal))
    audit.record(session, principal, audit.READ_PII, "talent_profile", profile.id)
    return profile, pii_of(session, profile.id), sorted(scopes_of(session, [profile.id])[profile.id])


def correct_profile(
    session: Session,
    taxonomy: Taxonomy,
    principal: Principal,
    *,
    profile: Mapping[str, Any],
    pii: Mapping[str, str],
) -> tuple[TalentProfile, TalentPII, list[str]]:
    """Apply the given fields (only those) to the caller's profile and PII."""
    row = get_profile(session, _own_id(principal))
    _check_profile_codes(taxonomy, profile)
    for name, value in profile.items():
        if name not in PROFILE_FIELDS:
            raise InvalidInput(f"unknown profile field {name!r}", field=name)
        setattr(row, name, value)
    pii_row = session.get(TalentPII, row.id)
    if pii_row is None:
        pii_row = TalentPII(profile_id=row.id)
        session.add(pii_row)
    for name, value in pii.items():
        if name not in PII_FIELDS:
            raise InvalidInput(f"unknown PII field {name!r}", field=name)
        setattr(pii_row, name, value)
    session.flush()
    audit.record(session, principal, audit.READ_PII, "talent_profile", row.id)
    return row, pii_row, sorted(scopes_of(session, [row.id])[row.id])


def set_consent(session: Session, principal: Principal, consent_scopes: list[str]) -> list[str]:
    """Replace the caller's consent scopes by exactly ``consent_scopes``; returns them, sorted."""
    profile_id = _own_id(principal)
    scopes = validate_scopes(consent_scopes)
    get_profile(session, profile_id)
    current = scopes_of(session, [profile_id])[profile_id]
    session.execute(
        delete(ConsentScope).where(ConsentScope.profile_id == profile_id, ConsentScope.scope.not_in(scopes))
    )
    session.add_all(ConsentScope(profile_id=profile_id, scope=s) for s in scopes if s not in current)
    audit.record(
        session, principal, audit.SET_CONSENT, "talent_profile", profile_id, {"scopes": sorted(scopes)}
    )
    session.flush()
    return sorted(scopes)


def withdraw_consent(session: Session, principal: Principal) -> None:
    """Withdraw every scope: the profile stays, but is neither matched nor shown with PII to anyone."""
    profile_id = _own_id(principal)
    get_profile(session, profile_id)
    session.execute(delete(ConsentScope).where(ConsentScope.profile_id == profile_id))
    audit.record(session, principal, audit.WITHDRAW_CONSENT, "talent_profile", profile_id)
    session.flush()


def delete_profile(session: Session, principal: Principal, index: ProfileIndex | None = None) -> int:
    """Erase the caller's profile everywhere; returns its id. The index forgets it inside the same unit of
    work, before the commit: if the commit then fails, the person is merely unfindable until a rebuild,
    never findable after deletion."""
    profile_id = _own_id(principal)
    get_profile(session, profile_id)
    counts = {}
    for table in (MatchFeedback, ShortlistEntry, ConsentScope, TalentPII, ApiKey):
        counts[table.__tablename__] = session.execute(
            select(func.count()).select_from(table).where(table.profile_id == profile_id)
        ).scalar_one()
        session.execute(delete(table).where(table.profile_id == profile_id))
    session.execute(delete(TalentProfile).where(TalentProfile.id == profile_id))
    audit.record(session, principal, audit.DELETE_PROFILE, "talent_profile", profile_id, {"removed": counts})
    session.flush()
    if index is not None:
        index.delete([profile_id])
    return profile_id


def _own_id(principal: Principal) -> int:
    principal.require(Role.talent)
    assert principal.profile_id is not None  # guaranteed for talent keys by models.auth
    return principal.profile_id
