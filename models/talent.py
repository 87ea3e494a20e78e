"""Talent profiles: pseudonyms and consent scopes (what a person allowed, and to whom)."""

from __future__ import annotations

import hashlib
import re

from models.errors import InvalidInput

CONSENT_MATCHING = "pool:matching"  # may be matched to projects at all
CONSENT_CATALOGUE = "pool:catalogue"  # may be counted for catalogue entries


def pseudonym(external_ref: str, key: str) -> str:
    """A stable pseudonym (``T-`` + 12 hex) that cannot be turned back into the id without ``key``."""
    digest = hashlib.blake2b(external_ref.encode(), key=key.encode()[:64], digest_size=6).hexdigest()
    return f"T-{digest}"


def tenant_scope(enterprise_code: str) -> str:
    """The scope that lets one enterprise see a person's name and contacts."""
    return f"tenant:{enterprise_code}"


def kind_scope(project_kind: str) -> str:
    return f"kind:{project_kind}"


PROJECT_KINDS = ("research", "industrialisation", "innovation_team", "startup", "talent_programme")
AGE_BANDS = ("<25", "25-34", "35-44", "45-54", "55+")
CONSENT_SCOPE = re.compile(
    r"^(pool:(matching|catalogue)|tenant:[a-z0-9-]{2,40}|kind:(" + "|".join(PROJECT_KINDS) + r"))$"
)
SCOPE_FORMS = (
    CONSENT_MATCHING,
    CONSENT_CATALOGUE,
    tenant_scope("<enterprise_code>"),
    *(kind_scope(k) for k in PROJECT_KINDS),
)


def validate_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """The scopes, de-duplicated in order; ``InvalidInput`` naming the first bad one and the valid forms
    (``docs/import-format.md``)."""
    for i, scope in enumerate(scopes):
        if not CONSENT_SCOPE.fullmatch(scope):
            raise InvalidInput(
                f"invalid consent scope {scope!r}; one of {', '.join(SCOPE_FORMS)}",
                field=f"consent_scopes.{i}",
            )
    return list(dict.fromkeys(scopes))


def may_see_pii(scopes: set[str] | frozenset[str], enterprise_code: str | None) -> bool:
    """Whether an enterprise may see a person's name and contacts: only with ``tenant:<its code>``."""
    return enterprise_code is not None and tenant_scope(enterprise_code) in scopes


def matching_scopes(enterprise_code: str | None = None, project_kind: str | None = None) -> frozenset[str]:
    """The scopes any one of which lets a person be put before this search: the matching pool, this
    tenant by name (for an enterprise's search), this kind of project (for a project's search)."""
    scopes = {CONSENT_MATCHING}
    if enterprise_code:
        scopes.add(tenant_scope(enterprise_code))
    if project_kind:
        scopes.add(kind_scope(project_kind))
    return frozenset(scopes)


def may_match(scopes: set[str] | frozenset[str], enterprise_code: str, project_kind: str) -> bool:
    """Whether a person may be put before this enterprise's project at all: the matching pool, or this
    tenant by name, or this kind of project."""
    return bool(matching_scopes(enterprise_code, project_kind) & scopes)


def matchable_scopes(scopes: set[str] | frozenset[str]) -> frozenset[str]:
    """The scopes of a person that can admit them to *some* search (what the matching index keeps);
    empty means the person is never matched and stays out of the index."""
    return frozenset(s for s in scopes if s == CONSENT_MATCHING or s.startswith(("tenant:", "kind:")))
