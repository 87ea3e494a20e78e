"""Matching schemas: candidates (with their reasons) and opportunities for talent."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from models.matches import CandidateMatch, Opportunity, Results
from models.matching.reasons import Reasons
from service.schemas.projects import CandidatePublic


class RequirementMetOut(BaseModel):
    requirement: str = Field(description="The requirement as the project (or need) states it")
    phrase: str = Field(description="The words of the other side that meet it")
    how: Literal["text", "skill", "field"] = Field(
        description="`text`: the same words; `skill`: the same taxonomy skill, in any language"
    )


class CodeOut(BaseModel):
    code: str
    name_en: str
    name_zh: str


class ReasonsOut(BaseModel):
    """Why a match: requirements met (with the phrases meeting them) and missing, occupation codes in
    common, each score part (they sum to `score`), and each retrieval channel's rank."""

    requirements_met: list[RequirementMetOut]
    requirements_missing: list[str]
    occupation_codes: list[CodeOut]
    score_parts: dict[str, float] = Field(
        examples=[
            {
                "dense": 14.2,
                "lexical": 9.1,
                "taxonomy": 12.0,
                "skill_coverage": 10.0,
                "level_fit": 8.0,
                "zone_fit": 7.0,
                "recency": 3.1,
            }
        ]
    )
    channel_ranks: dict[str, int] = Field(examples=[{"lexical": 1, "taxonomy": 3, "dense": 12}])

    @classmethod
    def from_domain(cls, reasons: Reasons) -> ReasonsOut:
        return cls.model_validate(reasons.to_json())


class CandidateMatchOut(BaseModel):
    rank: int
    score: float = Field(description="Hand-weighted score, 0–100: the sum of `reasons.score_parts`")
    rerank_score: float | None = Field(
        None, description="The learned re-ranker's score, where one ordered this list"
    )
    candidate: CandidatePublic
    reasons: ReasonsOut

    @classmethod
    def from_domain(cls, m: CandidateMatch) -> CandidateMatchOut:
        return cls(
            rank=m.rank,
            score=m.score,
            rerank_score=m.rerank_score,
            candidate=CandidatePublic.from_domain(m.candidate),
            reasons=ReasonsOut.from_domain(m.reasons),
        )


class CandidatesOut(BaseModel):
    index_version: str = Field(description="The matching index version that answered")
    items: list[CandidateMatchOut]

    @classmethod
    def from_domain(cls, results: Results) -> CandidatesOut:
        return cls(
            index_version=results.index_version,
            items=[CandidateMatchOut.from_domain(m) for m in results.items],
        )


class ProjectBrief(BaseModel):
    id: int
    title: str
    description: str
    kind: str
    segment_code: str
    zone_code: str
    talent_level: str
    min_education: str
    min_experience_years: int
    required_skills: list[str]


class CatalogueEntryBrief(BaseModel):
    id: int
    edition_id: int
    occupation_code: str
    segment_code: str
    industry_code: str
    urgency: str
    rank: int


class OpportunityOut(BaseModel):
    rank: int
    score: float
    kind: Literal["project", "catalogue_entry"]
    project: ProjectBrief | None = None
    catalogue_entry: CatalogueEntryBrief | None = None
    reasons: ReasonsOut

    @classmethod
    def from_domain(cls, o: Opportunity) -> OpportunityOut:
        return cls(
            rank=o.rank,
            score=o.score,
            kind=o.kind,
            project=ProjectBrief.model_validate(o.project, from_attributes=True) if o.project else None,
            catalogue_entry=CatalogueEntryBrief.model_validate(o.catalogue_entry, from_attributes=True)
            if o.catalogue_entry
            else None,
            reasons=ReasonsOut.from_domain(o.reasons),
        )


class OpportunitiesOut(BaseModel):
    index_version: str
    items: list[OpportunityOut]

    @classmethod
    def from_domain(cls, results: Results) -> OpportunitiesOut:
        return cls(
            index_version=results.index_version, items=[OpportunityOut.from_domain(o) for o in results.items]
        )
