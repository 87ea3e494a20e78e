"""What every list shares: a page of items, and the limit/offset query parameters."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")
MAX_PAGE = 200

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size (at most {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int = Field(description="Number of items matching, over all pages")
    limit: int
    offset: int


class FieldProblem(BaseModel):
    field: str = Field(description="`limit`, `skills.2`, …")
    in_: str | None = Field(None, alias="in", description="`query`, `path`, `body`, `header`")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document: every error of this API has this shape."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str
    field: str | None = Field(None, description="The request field at fault, when there is one")
    errors: list[FieldProblem] | None = Field(None, description="Every invalid field (422 only)")
    request_id: str | None = None


def problem_responses(*statuses: int) -> dict:
    """OpenAPI ``responses`` entries for these statuses, each a problem document."""
    meaning = {
        401: "No API key, or an invalid or revoked one",
        403: "The key's role may not use this route",
        404: "Not found (another tenant's objects included)",
        409: "Conflicts with the current state",
        413: "Request body too large",
        422: "Invalid request; `field` names the culprit",
        429: "Rate limit exceeded; see Retry-After",
        503: "The database is unreachable",
    }
    return {
        s: {"model": Problem, "description": meaning[s], "content": {"application/problem+json": {}}}
        for s in statuses
    }


class ProfileFacts(BaseModel):
    """The searchable, non-identifying part of a profile, as every profile view shows it. Plain types, no
    input limits: profiles imported in bulk must always render."""

    model_config = ConfigDict(from_attributes=True)
    summary: str
    titles: list[str]
    skills: list[str]
    education_level: str
    field_of_study: str
    years_experience: int
    talent_level: str
    zone_code: str
    occupation_code: str | None
    age_band: str
    publications: int
    patents: int
    languages: list[str]
