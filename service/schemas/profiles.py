"""Talent schemas: a person's own profile, contact details (PII) and consent scopes."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.schemas.common import ProfileFacts
from service.schemas.fields import (
    AgeBand,
    Code,
    ConsentScopes,
    Education,
    Patch,
    Skill,
    Strict,
    Summary,
    Text200,
    UtcDatetime,
)

Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
Email = Annotated[str, StringConstraints(max_length=200, pattern=r"^$|^[^@\s]+@[^@\s]+$")]
Phone = Annotated[str, StringConstraints(max_length=40)]
IdNumber = Annotated[str, StringConstraints(max_length=40)]

EXAMPLE = {
    "summary": "Computational biologist, single-cell sequencing, 6 years.",
    "titles": ["Bioinformatician"],
    "skills": ["single-cell sequencing", "Python", "R"],
    "education_level": "doctorate",
    "field_of_study": "Bioinformatics",
    "years_experience": 6,
    "talent_level": "research_leader",
    "zone_code": "zhongguancun",
    "occupation_code": None,
    "age_band": "25-34",
    "publications": 7,
    "patents": 0,
    "languages": ["zh", "en"],
    "contact": {"name": "王芳", "phone": "+86 138 0000 0000", "id_number": "", "email": "wf@example.org"},
    "consent_scopes": ["pool:matching"],
}


class ContactIn(Strict):
    name: Text200 = ""
    phone: Phone = ""
    id_number: IdNumber = ""
    email: Email = Field("", description="Must contain `@`, or be empty")


class ContactPatch(Patch):
    name: Text200 | None = None
    phone: Phone | None = None
    id_number: IdNumber | None = None
    email: Email | None = None


class ContactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    phone: str
    id_number: str
    email: str


class ProfileBase(BaseModel):
    summary: Summary = ""
    titles: list[Text200] = Field(default_factory=list, max_length=50)
    skills: list[Skill] = Field(default_factory=list, max_length=200)
    education_level: Education
    field_of_study: Text200 = ""
    years_experience: int = Field(0, ge=0, le=60)
    talent_level: Code
    zone_code: Code
    occupation_code: Code | None = None
    age_band: AgeBand
    publications: int = Field(0, ge=0, le=100_000)
    patents: int = Field(0, ge=0, le=100_000)
    languages: list[Language] = Field(default_factory=list, max_length=20)


class ProfileCreate(ProfileBase, Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})
    contact: ContactIn = Field(default_factory=ContactIn)
    consent_scopes: ConsentScopes = Field(
        default_factory=list,
        description="`pool:matching`, `pool:catalogue`, `tenant:<enterprise code>`, "
        "`kind:<project kind>`; empty = stored, never matched",
    )


class ProfileUpdate(Patch):
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"occupation_code"})
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"years_experience": 7}]})
    summary: Summary | None = None
    titles: list[Text200] | None = Field(None, max_length=50)
    skills: list[Skill] | None = Field(None, max_length=200)
    education_level: Education | None = None
    field_of_study: Text200 | None = None
    years_experience: int | None = Field(None, ge=0, le=60)
    talent_level: Code | None = None
    zone_code: Code | None = None
    occupation_code: Code | None = Field(None, description="`null` clears it")
    age_band: AgeBand | None = None
    publications: int | None = Field(None, ge=0, le=100_000)
    patents: int | None = Field(None, ge=0, le=100_000)
    languages: list[Language] | None = Field(None, max_length=20)
    contact: ContactPatch | None = None


class ProfilePublic(ProfileFacts):
    """Your own profile, with your contact details and the scopes you consented to."""

    id: int
    pseudonym: str = Field(examples=["T-3f9a1c07b2e4"])
    contact: ContactPublic
    consent_scopes: list[str]
    updated_at: UtcDatetime

    @classmethod
    def from_domain(cls, profile, pii, scopes: list[str]) -> ProfilePublic:
        fields = {name: getattr(profile, name) for name in ProfileBase.model_fields}
        return cls(
            **fields,
            id=profile.id,
            pseudonym=profile.pseudonym,
            contact=ContactPublic.model_validate(pii),
            consent_scopes=scopes,
            updated_at=profile.updated_at,
        )


class ProfileRegistered(BaseModel):
    profile: ProfilePublic
    api_key: str = Field(description="Your key for `/v1/profiles/me`; shown this once, store it safely")


class ConsentIn(Strict):
    consent_scopes: ConsentScopes = Field(examples=[["pool:matching", "tenant:acme-bio"]])


class ConsentPublic(BaseModel):
    consent_scopes: list[str]
