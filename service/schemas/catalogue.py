"""Catalogue schemas: editions, their entries (the published JSON's entry, as ``docs/catalogue.md``
documents it) and the diff between two editions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.auth import Principal
from models.catalogue.store import edition_code, file_names, sees_unpublished
from models.storage import orm
from service.schemas.fields import UtcDatetime

EditionStatus = Literal["draft", "reviewed", "published", "superseded", "discarded"]
Urgency = Literal["severe", "marked", "moderate"]
Format = Literal["json", "csv", "xlsx", "html"]


class Named(BaseModel):
    code: str
    name_zh: str
    name_en: str


class UrgencyOut(Named):
    code: Urgency
    rank: int = Field(description="1 = most urgent (特别紧缺), 3 = least (一般紧缺)")


class OccupationRef(Named):
    isco08_unit: str


class SegmentRef(Named):
    stream: Literal["upstream", "midstream", "downstream"]
    stream_zh: str | None = None


class ZoneRef(Named):
    observed_gap: float | None = Field(
        None, description="Postings − job seekers observed in the zone over the last 12 months"
    )


class PayGuidance(BaseModel):
    low: int | None
    high: int | None
    currency: Literal["CNY"] = "CNY"
    period: Literal["month"] = "month"


class ForecastOut(BaseModel):
    """Sums over the catalogue year; the gap is postings − job seekers with its 80 % interval."""

    postings: float | None
    job_seekers: float | None
    demand_gap: float | None
    demand_gap_lo80: float | None
    demand_gap_hi80: float | None
    months_forecast: int = Field(description="Months of the year that are forecast, not yet observed")


class IndicatorsOut(BaseModel):
    shortage_index: float = Field(description="Forecast 求人倍率: postings ÷ job seekers")
    p_short: float = Field(description="P(the year's mean index exceeds the shortage threshold)")
    days_to_fill_growth: float | None
    wage_growth: float | None
    strategic_weight: float
    points: int
    score: float


class Reason(BaseModel):
    zh: str
    en: str


class CatalogueEntryPublic(BaseModel):
    """One entry of an edition: an occupation urgently needed in an industry chain, with why."""

    edition_id: int
    rank: int = Field(description="Position within its chain")
    urgency: UrgencyOut
    occupation: OccupationRef
    chain: Named
    segment: SegmentRef
    other_segments: list[str] = Field(description="Other short segments of the chain for the occupation")
    zones: list[ZoneRef]
    talent_levels: list[Named]
    education: Named
    experience_years: int
    pay_guidance: PayGuidance
    forecast: ForecastOut
    indicators: IndicatorsOut
    reasons: list[Reason] = Field(min_length=1)
    candidates_in_pool: int = Field(description="Consenting candidates in the pool with this occupation")

    @classmethod
    def from_domain(cls, entry: orm.CatalogueEntry) -> CatalogueEntryPublic:
        return cls.model_validate({**entry.payload, "edition_id": entry.edition_id})


class SummaryOut(BaseModel):
    entries: int
    by_urgency: dict[str, int] = Field(examples=[{"severe": 24, "marked": 59, "moderate": 32}])
    chains_with_entries: int
    candidates_in_pool: int


class DataWindow(BaseModel):
    start: date | None
    end: date | None


class ModelUsed(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    version: str
    class_: str | None = Field(None, alias="class")
    horizon: int | None = None
    model_version_id: int | None = None


class EditionFileOut(BaseModel):
    format: str = Field(description="`json`, `csv`, `xlsx`, `html`; `diff` and `manifest` are listed too")
    name: str
    sha256: str
    href: str | None = Field(None, description="Where to download it (the four formats)")


class StatusChange(BaseModel):
    status: str
    at: str
    by: str | None = None


class EditionPublic(BaseModel):
    """A catalogue edition: version, status, provenance and its files with their sha256."""

    model_config = ConfigDict(populate_by_name=True)

    id: int
    year: int
    version: int
    status: EditionStatus
    code: str = Field(description="`<year>-<sha8>`, as the publication prints it")
    rules_version: str
    content_sha256: str
    seed: int
    data_window: DataWindow
    created_at: UtcDatetime
    published_at: UtcDatetime | None
    summary: SummaryOut | None
    models: dict[str, ModelUsed] = Field(description="The forecasters used, by target")
    diff_against: str | None = Field(description="The edition the recorded diff was taken against")
    files: list[EditionFileOut]
    history: list[StatusChange] | None = Field(
        description="Status changes with who and when (analysts and admins only)"
    )

    @classmethod
    def from_domain(cls, edition: orm.CatalogueEdition, *, privileged: bool) -> EditionPublic:
        p = edition.provenance or {}
        kinds = {name: kind for kind, name in file_names(edition.year).items()}
        files = [
            EditionFileOut(
                format=kinds.get(name, name),
                name=name,
                sha256=sha,
                href=(
                    f"/v1/catalogue/editions/{edition.id}/download?format={kinds[name]}"
                    if kinds.get(name) in ("json", "csv", "xlsx", "html") and edition.status != "discarded"
                    else None
                ),
            )
            for name, sha in sorted(p.get("files", {}).items())
        ]
        return cls(
            id=edition.id,
            year=edition.year,
            version=edition.version,
            status=edition.status,
            code=edition_code(edition),
            rules_version=edition.rules_version,
            content_sha256=edition.content_sha256,
            seed=edition.seed,
            data_window=DataWindow(start=edition.data_window_start, end=edition.data_window_end),
            created_at=edition.created_at,
            published_at=edition.published_at,
            summary=p.get("summary"),
            models={t: ModelUsed.model_validate(m) for t, m in (p.get("models") or {}).items()},
            diff_against=p.get("diff_against"),
            files=files,
            history=p.get("history", []) if privileged else None,
        )


def edition_out(edition: orm.CatalogueEdition, principal: Principal) -> EditionPublic:
    """The edition as ``principal`` may see it (the status history only for analysts and admins)."""
    return EditionPublic.from_domain(edition, privileged=sees_unpublished(principal))


class DiffItem(BaseModel):
    chain: str
    occupation: str
    name_zh: str
    name_en: str
    chain_name_zh: str
    chain_name_en: str
    urgency: Urgency
    reason_zh: str
    reason_en: str


class UrgencyChange(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    chain: str
    occupation: str
    name_zh: str
    name_en: str
    chain_name_zh: str
    chain_name_en: str
    from_: Urgency = Field(alias="from")
    to: Urgency
    reason_zh: str
    reason_en: str


class CatalogueDiff(BaseModel):
    """What changed from one edition to another, each item with its reason in zh and en."""

    from_edition: int
    to_edition: int
    previous: str | None = Field(description="The code of the `from` edition")
    added: list[DiffItem]
    removed: list[DiffItem]
    urgency_changed: list[UrgencyChange]
    unchanged: int = Field(description="Entries in both editions at the same urgency")
