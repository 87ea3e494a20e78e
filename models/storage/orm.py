"""SQLAlchemy 2 tables of TalentCluster. Alembic migrations in ``models/storage/migrations`` create them.

Reference tables (cluster … zone_industry) mirror ``data/reference``. Talent PII lives in ``talent_pii``,
one row per profile, apart from the searchable ``talent_profile``: only code that is allowed to show PII
joins them, and every such read is written to ``audit_event``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# -- reference data ---------------------------------------------------------------------------------
class Cluster(Base):
    __tablename__ = "cluster"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))


class Industry(Base):
    __tablename__ = "industry"
    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    cluster_code: Mapped[str] = mapped_column(ForeignKey("cluster.code"))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    strategic_weight: Mapped[float] = mapped_column(Float)
    description_en: Mapped[str] = mapped_column(Text, default="")


class ChainSegment(Base):
    __tablename__ = "chain_segment"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry.code"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    stream: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")


class Occupation(Base):
    __tablename__ = "occupation"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200), unique=True)
    name_en: Mapped[str] = mapped_column(String(200), unique=True)
    isco08_unit: Mapped[str] = mapped_column(String(4), index=True)
    cn_major_group: Mapped[int] = mapped_column(Integer)
    typical_education: Mapped[str] = mapped_column(String(16))
    typical_experience_years: Mapped[int] = mapped_column(Integer)
    skills_zh: Mapped[list] = mapped_column(JSON, default=list)
    skills_en: Mapped[list] = mapped_column(JSON, default=list)
    aliases: Mapped[list[OccupationAlias]] = relationship(cascade="all, delete-orphan")


class OccupationAlias(Base):
    __tablename__ = "occupation_alias"
    __table_args__ = (UniqueConstraint("occupation_code", "lang", "alias"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occupation_code: Mapped[str] = mapped_column(
        ForeignKey("occupation.code", ondelete="CASCADE"), index=True
    )
    lang: Mapped[str] = mapped_column(String(2))
    alias: Mapped[str] = mapped_column(String(200))


class SegmentOccupation(Base):
    """The talent chain: which occupations a segment needs, with a weight and the levels concerned."""

    __tablename__ = "segment_occupation"
    segment_code: Mapped[str] = mapped_column(ForeignKey("chain_segment.code"), primary_key=True)
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    talent_levels: Mapped[list] = mapped_column(JSON, default=list)


class TalentLevel(Base):
    __tablename__ = "talent_level"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Zone(Base):
    __tablename__ = "zone"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str] = mapped_column(String(40))
    grid_row: Mapped[int] = mapped_column(Integer)
    grid_col: Mapped[int] = mapped_column(Integer)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class ZoneIndustry(Base):
    __tablename__ = "zone_industry"
    zone_code: Mapped[str] = mapped_column(ForeignKey("zone.code"), primary_key=True)
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry.code"), primary_key=True)
    intensity: Mapped[float] = mapped_column(Float)


# -- labour-market history --------------------------------------------------------------------------
class Observation(Base):
    """One month of one zone × chain segment × occupation series. NULL means not observed, never zero."""

    __tablename__ = "observation"
    __table_args__ = (
        UniqueConstraint("zone_code", "segment_code", "occupation_code", "month", name="uq_observation_key"),
        Index("ix_observation_month", "month"),
        Index("ix_observation_series", "segment_code", "occupation_code"),
    )
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("zone.code"))
    segment_code: Mapped[str] = mapped_column(ForeignKey("chain_segment.code"))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    month: Mapped[date] = mapped_column(Date)
    postings: Mapped[int | None] = mapped_column(Integer)
    job_seekers: Mapped[int | None] = mapped_column(Integer)
    hires: Mapped[int | None] = mapped_column(Integer)
    median_wage_cny: Mapped[float | None] = mapped_column(Float)
    mean_days_to_fill: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200), default="")


# -- tenants, projects, talent ----------------------------------------------------------------------
class Enterprise(Base):
    """A tenant: an enterprise sees only its own projects, shortlists and feedback."""

    __tablename__ = "enterprise"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Project(Base):
    __tablename__ = "project"
    __table_args__ = (UniqueConstraint("enterprise_id", "external_ref", name="uq_project_ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    external_ref: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(32))
    segment_code: Mapped[str] = mapped_column(ForeignKey("chain_segment.code"))
    zone_code: Mapped[str] = mapped_column(ForeignKey("zone.code"))
    required_occupations: Mapped[list] = mapped_column(JSON, default=list)
    required_skills: Mapped[list] = mapped_column(JSON, default=list)
    talent_level: Mapped[str] = mapped_column(String(32))
    min_education: Mapped[str] = mapped_column(String(16))
    min_experience_years: Mapped[int] = mapped_column(Integer, default=0)
    funding_cny: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class TalentProfile(Base):
    """The searchable part of a person's profile, under a pseudonym. PII is in ``TalentPII``."""

    __tablename__ = "talent_profile"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    external_ref: Mapped[str] = mapped_column(String(64), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(24), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    titles: Mapped[list] = mapped_column(JSON, default=list)
    skills: Mapped[list] = mapped_column(JSON, default=list)
    education_level: Mapped[str] = mapped_column(String(16))
    field_of_study: Mapped[str] = mapped_column(String(200), default="")
    years_experience: Mapped[int] = mapped_column(Integer, default=0)
    talent_level: Mapped[str] = mapped_column(String(32))
    zone_code: Mapped[str] = mapped_column(ForeignKey("zone.code"), index=True)
    occupation_code: Mapped[str | None] = mapped_column(ForeignKey("occupation.code"), index=True)
    age_band: Mapped[str] = mapped_column(String(8))
    publications: Mapped[int] = mapped_column(Integer, default=0)
    patents: Mapped[int] = mapped_column(Integer, default=0)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    consents: Mapped[list[ConsentScope]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class TalentPII(Base):
    __tablename__ = "talent_pii"
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("talent_profile.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    id_number: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(200), default="")


class ConsentScope(Base):
    """One scope a person consented to: ``pool:matching``, ``tenant:<code>``, ``kind:<project kind>``…"""

    __tablename__ = "consent_scope"
    __table_args__ = (UniqueConstraint("profile_id", "scope", name="uq_consent_scope"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("talent_profile.id", ondelete="CASCADE"), index=True)
    scope: Mapped[str] = mapped_column(String(80))
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ShortlistEntry(Base):
    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("project_id", "profile_id", name="uq_shortlist_pair"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("talent_profile.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MatchFeedback(Base):
    """A recruiter's label on a candidate for a project; the re-ranker learns from these."""

    __tablename__ = "match_feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("talent_profile.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(16))  # shortlisted | contacted | hired | rejected
    rank_shown: Mapped[int | None] = mapped_column(Integer)  # position bias
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """An API key, stored only as its SHA-256. ``prefix`` (the first characters) identifies it in lists.

    Invariants (checked by ``models.auth``): an ``enterprise_user`` key has an enterprise; a ``talent`` key
    has a profile; other roles have neither.
    """

    __tablename__ = "api_key"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(32))
    enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), index=True
    )
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("talent_profile.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConsoleSession(Base):
    """A console login, shared by every worker. The browser holds the session id and the CSRF token; only
    their SHA-256 are stored, with the hash of the API key the session was opened with (never the key).
    Expiry is absolute; expired rows are deleted at the next login, and deleting the key ends the session.
    """

    __tablename__ = "console_session"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_hash: Mapped[str] = mapped_column(ForeignKey("api_key.key_hash", ondelete="CASCADE"), index=True)
    csrf_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


# -- publication, models, audit ---------------------------------------------------------------------
class CatalogueEdition(Base):
    __tablename__ = "catalogue_edition"
    __table_args__ = (UniqueConstraint("year", "version", name="uq_catalogue_edition_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    version: Mapped[int] = mapped_column(Integer)
    # draft | reviewed | published | superseded | discarded
    status: Mapped[str] = mapped_column(String(16), default="draft")
    rules_version: Mapped[str] = mapped_column(String(32))
    model_version_id: Mapped[int | None] = mapped_column(ForeignKey("model_version.id"))
    data_window_start: Mapped[date | None] = mapped_column(Date)
    data_window_end: Mapped[date | None] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer, default=0)
    content_sha256: Mapped[str] = mapped_column(String(64), default="")
    provenance: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    entries: Mapped[list[CatalogueEntry]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class CatalogueEntry(Base):
    __tablename__ = "catalogue_entry"
    __table_args__ = (
        UniqueConstraint("edition_id", "industry_code", "occupation_code", name="uq_catalogue_entry_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    edition_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_edition.id", ondelete="CASCADE"), index=True
    )
    industry_code: Mapped[str] = mapped_column(ForeignKey("industry.code"))
    segment_code: Mapped[str] = mapped_column(ForeignKey("chain_segment.code"))
    occupation_code: Mapped[str] = mapped_column(ForeignKey("occupation.code"))
    rank: Mapped[int] = mapped_column(Integer)
    urgency: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)


class ModelVersion(Base):
    __tablename__ = "model_version"
    __table_args__ = (UniqueConstraint("kind", "version", name="uq_model_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))  # forecaster | ranker | index
    version: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500))
    card: Mapped[dict] = mapped_column(JSON, default=dict)
    serving: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEvent(Base):
    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(32))
    tenant: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class ImportRun(Base):
    """One accepted import of a file, by content hash: re-importing the same bytes is recognised."""

    __tablename__ = "import_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_written: Mapped[int] = mapped_column(Integer)
    rows_invalid: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
