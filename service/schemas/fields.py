"""Field types and limits shared by the request schemas (lengths as in ``docs/import-format.md``)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)
from pydantic.json_schema import JsonSchemaValue


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time we store is UTC, so say so."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_utc)]
Text200 = Annotated[str, StringConstraints(max_length=200)]
Skill = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Summary = Annotated[str, StringConstraints(max_length=4000)]
ProjectKind = Literal["research", "industrialisation", "innovation_team", "startup", "talent_programme"]
Education = Literal["doctorate", "master", "bachelor", "associate", "vocational", "secondary"]
AgeBand = Literal["<25", "25-34", "35-44", "45-54", "55+"]
FeedbackLabel = Literal["shortlisted", "contacted", "hired", "rejected"]
Role = Literal["bureau_analyst", "enterprise_user", "talent", "admin"]
EnterpriseCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,40}$")]
ConsentScopes = Annotated[list[Annotated[str, StringConstraints(max_length=80)]], Field(max_length=50)]


class Strict(BaseModel):
    """Request bodies refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Patch(Strict):
    """A partial update: fields left out stay as they are; ``null`` is refused except for ``NULLABLE``
    (where it clears the value). The JSON schema says the same: ``null`` is offered only for those."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler) -> JsonSchemaValue:
        schema = handler(core_schema)
        for name, prop in handler.resolve_ref_schema(schema).get("properties", {}).items():
            if name not in cls.NULLABLE:
                _refuse_null(prop)
        return schema

    @field_validator("*", mode="before")
    @classmethod
    def _not_null(cls, value, info: ValidationInfo):
        if value is None and info.field_name not in cls.NULLABLE:
            raise ValueError("may not be null; leave the field out to keep it")
        return value


def _refuse_null(prop: dict) -> None:
    """Take ``null`` out of a property's schema (``anyOf: [X, null]`` becomes ``X``) with its null default."""
    variants = [v for v in prop.get("anyOf", []) if v != {"type": "null"}]
    if "anyOf" in prop:
        del prop["anyOf"]
        if len(variants) == 1:
            prop.update(variants[0])
        else:
            prop["anyOf"] = variants
    if "default" in prop and prop["default"] is None:
        del prop["default"]
