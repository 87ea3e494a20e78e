"""Matching: candidates for a project, for a catalogue entry or an occupation, and opportunities for talent.

All of them need the matching index (503 with the command to build it while there is none), check every
returned profile against the database (deleted or no longer consenting: never shown), and carry reasons.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from models import matches
from models.matching.filters import MAX_TOP_K
from service.deps import (
    AnalystOrEnterprise,
    EnterpriseUser,
    IndexDep,
    TalentUser,
    TaxonomyDep,
    UnitOfWorkDep,
)
from service.schemas.common import problem_responses
from service.schemas.matching import CandidatesOut, OpportunitiesOut

router = APIRouter(tags=["matching"], responses=problem_responses(401, 403, 404, 422, 429, 503))

TopK = Annotated[int, Query(ge=1, le=MAX_TOP_K, description=f"How many matches (1–{MAX_TOP_K})")]
Zones = Annotated[
    list[str] | None,
    Query(max_length=30, description="Only candidates in these zones (repeat the parameter for several)"),
]
MinYears = Annotated[
    float | None,
    Query(ge=0, le=60, description="Only candidates with at least this many years of experience"),
]


def candidate_filters(taxonomy: TaxonomyDep, zone: Zones = None, min_years: MinYears = None):
    """The hard filters every candidate search accepts, validated against the taxonomy."""
    return matches.candidate_filters(taxonomy, zone, min_years)


CandidateFilters = Annotated[object, Depends(candidate_filters)]


@router.get(
    "/v1/projects/{project_id}/candidates",
    response_model=CandidatesOut,
    summary="The best candidates for one of your projects, each with reasons",
    description="Filters apply inside retrieval: a filtered-out or non-consenting profile is never "
    "returned, and the list is short only when fewer eligible profiles exist. Contact details only for "
    "candidates who consented to your enterprise (each such read is audited).",
)
def project_candidates(
    project_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    principal: EnterpriseUser,
    db: UnitOfWorkDep,
    taxonomy: TaxonomyDep,
    index: IndexDep,
    filters: CandidateFilters,
    top_k: TopK = 10,
):
    return CandidatesOut.from_domain(
        matches.candidates_for_project(
            db, principal, taxonomy, index, project_id, top_k=top_k, filters=filters
        )
    )


@router.get(
    "/v1/candidates/search",
    response_model=CandidatesOut,
    summary="Candidates for an occupation (in a chain segment): the needs-catalogue direction",
    description="For a catalogue entry's occupation and segment, without a catalogue row. Bureau "
    "analysts always get the pseudonymous view.",
)
def occupation_candidates(
    principal: AnalystOrEnterprise,
    db: UnitOfWorkDep,
    taxonomy: TaxonomyDep,
    index: IndexDep,
    occupation_code: Annotated[str, Query(min_length=1, max_length=40, examples=["TC-2521-01"])],
    filters: CandidateFilters,
    segment_code: Annotated[str | None, Query(min_length=1, max_length=40)] = None,
    top_k: TopK = 10,
):
    return CandidatesOut.from_domain(
        matches.candidates_for_occupation(
            db, principal, taxonomy, index, occupation_code, segment_code, top_k=top_k, filters=filters
        )
    )


@router.get(
    "/v1/catalogue-entries/{entry_id}/candidates",
    response_model=CandidatesOut,
    summary="Candidates for an entry of the needs catalogue",
    description="Enterprises: entries of published editions; bureau analysts: any edition.",
)
def catalogue_entry_candidates(
    entry_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    principal: AnalystOrEnterprise,
    db: UnitOfWorkDep,
    taxonomy: TaxonomyDep,
    index: IndexDep,
    filters: CandidateFilters,
    top_k: TopK = 10,
):
    return CandidatesOut.from_domain(
        matches.candidates_for_catalogue_entry(
            db, principal, taxonomy, index, entry_id, top_k=top_k, filters=filters
        )
    )


@router.get(
    "/v1/profiles/me/matches",
    response_model=OpportunitiesOut,
    summary="Open projects and urgent needs that fit your profile, each with reasons",
)
def my_matches(
    principal: TalentUser,
    db: UnitOfWorkDep,
    taxonomy: TaxonomyDep,
    index: IndexDep,
    top_k: TopK = 10,
    zone: Zones = None,
):
    filters = matches.candidate_filters(taxonomy, zone)
    return OpportunitiesOut.from_domain(
        matches.opportunities_for_profile(db, principal, index, top_k=top_k, filters=filters)
    )
