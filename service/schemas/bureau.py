"""HR-bureau schemas: forecasts with intervals, ranked shortages, indicators, model versions, jobs."""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from service.schemas.common import Page
from service.schemas.fields import UtcDatetime

ForecastLevel = Literal["occupation", "segment", "industry", "cluster", "zone", "district", "city"]
Target = Literal["postings", "job_seekers"]


def _num(v) -> float | None:
    return None if v is None or (isinstance(v, float) and not math.isfinite(v)) else float(v)


class ForecastPoint(BaseModel):
    ds: date = Field(description="First day of the forecast month")
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


class HistoryPoint(BaseModel):
    ds: date
    y: float | None = Field(description="Observed value; null where no member series was observed")


class Dimensions(BaseModel):
    zone: str | None = None
    district: str | None = None
    cluster: str | None = None
    industry: str | None = None
    segment: str | None = None
    occupation: str | None = None


class ForecastSeriesOut(BaseModel):
    node: str = Field(
        description="The node, e.g. `zone=zhongguancun/segment=BIO-1`", examples=["segment=BIO-1"]
    )
    level: str = Field(description="The stored level: columns joined by `/` (`total` = the city)")
    label_en: str
    label_zh: str
    dimensions: Dimensions
    points: list[ForecastPoint]
    history: list[HistoryPoint]

    @classmethod
    def from_domain(cls, s) -> ForecastSeriesOut:
        return cls(
            node=s.node,
            level=s.level,
            label_en=s.label_en,
            label_zh=s.label_zh,
            dimensions=Dimensions(**s.dims),
            points=[
                ForecastPoint(ds=m.date(), mean=v[0], lo80=v[1], hi80=v[2], lo95=v[3], hi95=v[4])
                for m, v in zip(s.months, s.values.tolist(), strict=True)
            ],
            history=[
                HistoryPoint(ds=m.date(), y=_num(y))
                for m, y in zip(s.history_months, s.history.tolist(), strict=True)
            ],
        )


class ForecastPageOut(Page[ForecastSeriesOut]):
    model_version: str
    target: Target
    horizon: int

    @classmethod
    def from_domain(cls, page, *, horizon: int, limit: int, offset: int) -> ForecastPageOut:
        return cls(
            items=[ForecastSeriesOut.from_domain(s) for s in page.items],
            total=page.total,
            limit=limit,
            offset=offset,
            model_version=page.version,
            target=page.target,
            horizon=horizon,
        )


class Reasons(BaseModel):
    en: str
    zh: str


class ShortageIndicators(BaseModel):
    postings_yoy: float | None = Field(
        None, description="Forecast postings, first 12 months vs a year before"
    )
    job_seekers_yoy: float | None = None
    days_to_fill_before: float | None = Field(None, description="Mean of the 12 months before the last 12")
    days_to_fill_now: float | None = Field(None, description="Mean of the last 12 observed months")
    wage_growth: float | None = Field(None, description="Wage, last 12 months vs the 12 before")


class Assessment(BaseModel):
    node: str
    shortage_index: float = Field(description="Postings ÷ job seekers over the horizon (求人倍率)")
    p_short: float = Field(ge=0, le=1, description="P(mean index over the horizon > threshold)")
    score: float = Field(ge=0, le=1, description="Weighted index, days-to-fill and wage sub-scores")
    flagged: bool
    reasons: Reasons
    indicators: ShortageIndicators

    @classmethod
    def from_record(cls, r: dict) -> Assessment:
        return cls(
            node=r["node"],
            shortage_index=float(r["shortage_index"]),
            p_short=float(r["p_short"]),
            score=float(r["score"]),
            flagged=bool(r["flagged"]),
            reasons=Reasons(en=r["reason_en"], zh=r["reason_zh"]),
            indicators=ShortageIndicators(
                postings_yoy=_num(r.get("postings_yoy")),
                job_seekers_yoy=_num(r.get("job_seekers_yoy")),
                days_to_fill_before=_num(r.get("fill_before")),
                days_to_fill_now=_num(r.get("fill_now")),
                wage_growth=_num(r.get("wage_growth")),
            ),
        )


class ShortageOccupationOut(Assessment):
    rank: int = Field(ge=1)
    occupation_code: str
    name_en: str
    name_zh: str


class SegmentShortagesOut(BaseModel):
    segment_code: str
    industry_code: str
    position: int
    stream: str
    name_en: str
    name_zh: str
    summary: Assessment | None = Field(description="The segment as a whole (all its occupations)")
    occupations: list[ShortageOccupationOut] = Field(description="Most likely short first")
    total: int = Field(description="Occupations assessed in this segment (before `limit`)")


class ShortagesOut(BaseModel):
    model_version: str
    horizon: int
    level: str
    industry: str | None
    zone: str | None
    district: str | None
    segments: list[SegmentShortagesOut]

    @classmethod
    def from_domain(cls, report, taxonomy, *, industry, zone, district) -> ShortagesOut:
        segments = []
        for block in report.segments:
            s = taxonomy.segments[block.segment]
            occupations = []
            for row in block.occupations:
                o = taxonomy.occupations[row.occupation]
                occupations.append(
                    ShortageOccupationOut(
                        **Assessment.from_record(row.record).model_dump(),
                        rank=row.rank,
                        occupation_code=o.code,
                        name_en=o.name_en,
                        name_zh=o.name_zh,
                    )
                )
            segments.append(
                SegmentShortagesOut(
                    segment_code=s.code,
                    industry_code=s.industry_code,
                    position=s.position,
                    stream=s.stream,
                    name_en=s.name_en,
                    name_zh=s.name_zh,
                    summary=Assessment.from_record({"node": "", **block.summary}) if block.summary else None,
                    occupations=occupations,
                    total=block.total,
                )
            )
        return cls(
            model_version=report.version,
            horizon=report.horizon,
            level=report.level,
            industry=industry,
            zone=zone,
            district=district,
            segments=segments,
        )


class CountShare(BaseModel):
    code: str
    name_en: str | None = None
    name_zh: str | None = None
    count: int | None
    share: float | None


class MonthFigures(BaseModel):
    month: date
    postings: int | None
    job_seekers: int | None
    hires: int | None
    wage: float | None = Field(description="Postings-weighted median wage, CNY/month")
    days_to_fill: float | None = Field(description="Hires-weighted mean days to fill")


class IndicatorsOut(BaseModel):
    zone: str | None
    cluster: str | None
    data_end: date | None = Field(description="Last observed month")
    scale: dict[str, float | int | None] = Field(
        description="postings_12m, job_seekers_12m, hires_12m (sums over the last 12 months), talent_pool, "
        "shortage_index_12m"
    )
    latest_month: dict[str, float | int | None]
    change: dict[str, float | None] = Field(description="y/y: last 12 months vs the 12 before")
    structure: dict[str, list[CountShare]] = Field(
        description="Talent pool by education, age_band, talent_level, occupation; demand_by_occupation"
    )
    monthly: list[MonthFigures]

    @classmethod
    def from_domain(cls, i) -> IndicatorsOut:
        return cls(
            zone=i.scope["zone"],
            cluster=i.scope["cluster"],
            data_end=i.data_end,
            scale=i.scale,
            latest_month=i.latest_month,
            change=i.change,
            structure={k: [CountShare(**row) for row in rows] for k, rows in i.structure.items()},
            monthly=[MonthFigures(**m) for m in i.monthly],
        )


class ModelVersionOut(BaseModel):
    version: str
    serving: bool
    created_at: UtcDatetime
    layout: str = Field(
        description="`forecast_run` (servable) or `single_model` (a `forecast train --input` fit)"
    )
    card: dict

    @classmethod
    def from_domain(cls, row) -> ModelVersionOut:
        card = row.card or {}
        return cls(
            version=row.version,
            serving=row.serving,
            created_at=row.created_at,
            layout=card.get("layout", "single_model"),
            card=card,
        )


class ModelDetailOut(ModelVersionOut):
    backtest: dict | None = Field(description="The backtest report, when the run computed one")


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: float = Field(ge=0, le=1)
    message: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    result: dict = Field(
        description="For a finished job: the version written, whether it serves, seconds per step"
    )

    @classmethod
    def from_domain(cls, job) -> JobOut:
        return cls(**{k: getattr(job, k) for k in cls.model_fields if k != "requested_by"})


ModelPage = Page[ModelVersionOut]
