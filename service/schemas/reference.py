"""Response schemas of the reference routes. Built from domain objects; internal fields never leak."""

from __future__ import annotations

from pydantic import BaseModel, Field


class IndustryOut(BaseModel):
    code: str = Field(examples=["BIO"])
    cluster_code: str = Field(examples=["strategic_emerging"])
    name_zh: str = Field(examples=["生物医药"])
    name_en: str = Field(examples=["Biotech & biomedicine"])
    strategic_weight: float


class TalentChainLinkOut(BaseModel):
    occupation_code: str = Field(examples=["TC-2131-01"])
    name_zh: str
    name_en: str
    weight: float
    talent_levels: list[str]


class SegmentOut(BaseModel):
    code: str = Field(examples=["BIO-1"])
    position: int
    stream: str = Field(examples=["upstream"])
    name_zh: str
    name_en: str
    occupations: list[TalentChainLinkOut]


class ChainOut(BaseModel):
    industry: IndustryOut
    segments: list[SegmentOut] = Field(description="Upstream first")


class OccupationOut(BaseModel):
    code: str = Field(examples=["TC-2512-01"])
    name_zh: str
    name_en: str
    isco08_unit: str = Field(examples=["2512"])
    cn_major_group: int = Field(examples=[2])
    typical_education: str
    typical_experience_years: int
    skills_zh: list[str]
    skills_en: list[str]
    aliases_zh: list[str]
    aliases_en: list[str]


class ZoneOut(BaseModel):
    code: str = Field(examples=["zhongguancun"])
    kind: str = Field(examples=["core_function_zone"])
    name_zh: str
    name_en: str
    district_code: str
    grid_row: int
    grid_col: int
    industries: dict[str, float] = Field(description="Industries hosted, with intensity 0–1")
