"""Talent profiles: pseudonyms and consent scopes (what a person allowed, and to whom)."""

from __future__ import annotations

import hashlib

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
