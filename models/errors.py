"""Typed domain errors. The service maps each to one problem-details response; the CLI prints them.

Messages name the offending field or value and, where there is a closed set, the valid choices taken
from the code itself so that they cannot drift.
"""

from __future__ import annotations

import math


class TalentClusterError(Exception):
    """Base of every domain error."""

    status = 400  # the HTTP status the service maps it to
    headers: dict[str, str] = {}  # response headers the service adds (WWW-Authenticate, Retry-After)

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(TalentClusterError):
    status = 404


class UnknownCode(NotFound):
    """A code (occupation, segment, zone, …) that the reference data does not contain."""

    def __init__(self, kind: str, code: str, *, field: str | None = None):
        super().__init__(f"unknown {kind} {code!r}", field=field or kind)
        self.kind = kind
        self.code = code


class InvalidInput(TalentClusterError):
    status = 422


class ImportRejected(TalentClusterError):
    """A file failed validation; nothing was written. ``problems`` lists ``(line, field, reason)``."""

    status = 422

    def __init__(self, path: str, problems: list[tuple[int, str, str]]):
        self.path = path
        self.problems = problems
        first = "; ".join(f"{path}:{line}: {field}: {reason}" for line, field, reason in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{len(problems)} invalid row(s), nothing written: {first}{more}")


class ArtifactIncompatible(TalentClusterError):
    """An artifact whose card does not match what the code expects."""

    status = 409


class Conflict(TalentClusterError):
    status = 409


class Forbidden(TalentClusterError):
    status = 403


class Unavailable(TalentClusterError):
    """A dependency (database, model, index) is not ready."""

    status = 503


class Unauthenticated(TalentClusterError):
    """No credentials, or credentials that do not name a live API key. Never echoes what was sent."""

    status = 401
    headers = {"WWW-Authenticate": 'Bearer realm="talentcluster"'}


class RateLimited(TalentClusterError):
    status = 429

    def __init__(self, retry_after_s: float):
        seconds = max(1, math.ceil(retry_after_s))
        super().__init__(f"rate limit exceeded; retry after {seconds} s")
        self.retry_after_s = seconds
        self.headers = {"Retry-After": str(seconds)}
