"""Enterprise schemas: projects, shortlists (with candidate views) and feedback."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.candidates import CandidateView
from service.schemas.common import ProfileFacts
from service.schemas.fields import (
    Code,
    Education,
    FeedbackLabel,
    Patch,
    ProjectKind,
    Skill,
    Strict,
    Summary,
    UtcDatetime,
)

EXAMPLE = {
    "title": "Single-cell sequencing platform",
    "description": "Build a single-cell RNA-seq pipeline.",
    "kind": "research",
    "segment_code": "BIO-1",
    "zone_code": "zhongguancun",
    "required_occupations": [],
    "required_skills": ["single-cell sequencing", "Python"],
    "talent_level": "research_leader",
    "min_education": "master",
    "min_experience_years": 3,
    "funding_cny": 2e6,
}


class ProjectBase(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: Summary = ""
    kind: ProjectKind
    segment_code: Code = Field(description="A chain segment (`GET /v1/industries/{code}/chain`)")
    zone_code: Code = Field(description="A zone (`GET /v1/zones`)")
    required_occupations: list[Code] = Field(default_factory=list, max_length=50)
    required_skills: list[Skill] = Field(default_factory=list, max_length=100)
    talent_level: Code
    min_education: Education
    min_experience_years: int = Field(0, ge=0, le=60)
    funding_cny: float | None = Field(None, ge=0, le=1e12)


class ProjectCreate(ProjectBase, Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})
    external_ref: str | None = Field(
        None, min_length=1, max_length=64, description="Your own id of the project, unique in your tenant"
    )


class ProjectUpdate(Patch):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"funding_cny"})
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"title": "A better title"}]})
    title: str | None = Field(None, min_length=1, max_length=200)
    description: Summary | None = None
    kind: ProjectKind | None = None
    segment_code: Code | None = None
    zone_code: Code | None = None
    required_occupations: list[Code] | None = Field(None, max_length=50)
    required_skills: list[Skill] | None = Field(None, max_length=100)
    talent_level: Code | None = None
    min_education: Education | None = None
    min_experience_years: int | None = Field(None, ge=0, le=60)
    funding_cny: float | None = Field(None, ge=0, le=1e12, description="`null` clears it")


class ProjectPublic(BaseModel):
    """A project as stored. Plain types, no input limits: rows imported in bulk must always render."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    title: str
    description: str
    kind: str
    segment_code: str
    zone_code: str
    required_occupations: list[str]
    required_skills: list[str]
    talent_level: str
    min_education: str
    min_experience_years: int
    funding_cny: float | None
    external_ref: str
    status: Literal["open", "archived"]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class Contact(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    phone: str
    id_number: str
    email: str


class CandidatePublic(ProfileFacts):
    """A candidate as you may see them: ``contact`` only if the person consented to your enterprise."""

    profile_id: int
    pseudonym: str = Field(examples=["T-3f9a1c07b2e4"])
    view: Literal["full", "pseudonymous"]
    contact: Contact | None = Field(
        description="Name, phone, ID number, email; null in the pseudonymous view"
    )

    @classmethod
    def from_domain(cls, view: CandidateView) -> CandidatePublic:
        fields = {name: getattr(view, name) for name in cls.model_fields if name not in ("view", "contact")}
        contact = Contact.model_validate(view.contact) if view.contact else None
        return cls(**fields, view="full" if contact else "pseudonymous", contact=contact)


class ShortlistAdd(Strict):
    profile_id: int = Field(ge=1, le=2**31 - 1)
    note: str = Field("", max_length=2000)


class ShortlistEntryPublic(BaseModel):
    project_id: int
    profile_id: int
    note: str
    created_at: UtcDatetime
    consent_withdrawn: bool = Field(
        description="the person has withdrawn the consent that let them be matched to this project: "
        "the entry stays, their profile is no longer shown"
    )
    candidate: CandidatePublic | None = Field(description="null when consent_withdrawn")


class FeedbackCreate(Strict):
    profile_id: int = Field(ge=1, le=2**31 - 1)
    label: FeedbackLabel
    rank_shown: int | None = Field(
        None, ge=1, le=1000, description="1-based position the candidate was shown at"
    )


class FeedbackPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    project_id: int
    profile_id: int
    label: FeedbackLabel
    rank_shown: int | None
    created_at: UtcDatetime
