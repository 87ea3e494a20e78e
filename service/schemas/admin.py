"""Administration schemas: enterprises (tenants), API keys and the matching index."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from service.schemas.fields import EnterpriseCode, Role, Strict, UtcDatetime


class EnterpriseCreate(Strict):
    code: EnterpriseCode = Field(examples=["acme-bio"], description="Slug `[a-z0-9-]{2,40}`, the tenant")
    name: str = Field(min_length=1, max_length=200, examples=["Acme Biotech"])


class EnterprisePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    created_at: UtcDatetime


class ApiKeyCreate(Strict):
    role: Role
    tenant: EnterpriseCode | None = Field(
        None, description="Enterprise code; required for enterprise_user only"
    )
    profile_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Required for talent only")
    label: str = Field("", max_length=200)


class ApiKeyPublic(BaseModel):
    id: int
    prefix: str = Field(description="The key's first characters, to recognise it; not enough to use it")
    role: Role
    tenant: str | None
    profile_id: int | None
    label: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None

    @classmethod
    def from_domain(cls, key, tenant: str | None) -> ApiKeyPublic:
        return cls(
            id=key.id,
            prefix=key.prefix,
            role=key.role,
            tenant=tenant,
            profile_id=key.profile_id,
            label=key.label,
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


class ApiKeyIssued(ApiKeyPublic):
    secret: str = Field(description="The key itself; shown this once and never stored")


class IndexStatusOut(BaseModel):
    version: str | None = Field(description="The published version (`CURRENT`); null before the first build")
    built_at: str | None
    db_read_at: UtcDatetime | None = Field(description="When the build read the database")
    model_id: str | None = Field(description="The encoder that embedded the documents")
    embedding_precision: str | None
    counts: dict | None = Field(description="Profiles, projects and catalogue entries indexed")
    profiles_written_since: int = Field(
        description="Profiles created or changed after the build read the database: not searchable "
        "until the next build"
    )
    projects_written_since: int
    profiles_deleted_since: int = Field(description="Deleted after the build; already gone from every answer")
    catalogue_edition_indexed: int | None = Field(description="Id of the catalogue edition in the index")
    catalogue_edition_published: int | None = Field(description="Id of the newest published edition")
    stale: bool = Field(description="Whether a build would index something this version lacks")

    @classmethod
    def from_domain(cls, status) -> IndexStatusOut:
        return cls(**{k: getattr(status, k) for k in cls.model_fields})
