"""Reference data: industry chains, occupations, zones. Read by every role."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query

from service.deps import TaxonomyDep
from service.schemas import (
    ChainOut,
    IndustryOut,
    Limit,
    OccupationOut,
    Offset,
    Page,
    SegmentOut,
    TalentChainLinkOut,
    ZoneOut,
)

router = APIRouter(prefix="/v1", tags=["reference"])


def _industry(i) -> IndustryOut:
    return IndustryOut(**{k: v for k, v in asdict(i).items() if k in IndustryOut.model_fields})


@router.get("/industries", response_model=list[IndustryOut], summary="The industries (each one chain)")
def industries(taxonomy: TaxonomyDep):
    return [_industry(i) for i in taxonomy.industries.values()]


@router.get(
    "/industries/{industry_code}/chain",
    response_model=ChainOut,
    summary="An industry chain upstream → downstream with each segment's talent chain",
)
def chain(industry_code: str, taxonomy: TaxonomyDep):
    industry = taxonomy.industry(industry_code)
    segments = []
    for s in taxonomy.segments_of(industry.code):
        links = [
            TalentChainLinkOut(
                occupation_code=link.occupation_code,
                name_zh=taxonomy.occupations[link.occupation_code].name_zh,
                name_en=taxonomy.occupations[link.occupation_code].name_en,
                weight=link.weight,
                talent_levels=list(link.talent_levels),
            )
            for link in taxonomy.talent_chain(s.code)
        ]
        segments.append(
            SegmentOut(
                code=s.code,
                position=s.position,
                stream=s.stream,
                name_zh=s.name_zh,
                name_en=s.name_en,
                occupations=links,
            )
        )
    return ChainOut(industry=_industry(industry), segments=segments)


@router.get(
    "/occupations", response_model=Page[OccupationOut], summary="Occupations, searchable by name or alias"
)
def occupations(
    taxonomy: TaxonomyDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
):
    found = taxonomy.search_occupations(q or "")
    items = [OccupationOut(**asdict(o)) for o in found[offset : offset + limit]]
    return Page[OccupationOut](items=items, total=len(found), limit=limit, offset=offset)


@router.get("/occupations/{occupation_code}", response_model=OccupationOut)
def occupation(occupation_code: str, taxonomy: TaxonomyDep):
    return OccupationOut(**asdict(taxonomy.occupation(occupation_code)))


@router.get(
    "/zones", response_model=list[ZoneOut], summary="Function zones and districts, with their industries"
)
def zones(taxonomy: TaxonomyDep):
    return [
        ZoneOut(
            code=z.code,
            kind=z.kind,
            name_zh=z.name_zh,
            name_en=z.name_en,
            district_code=z.district_code,
            grid_row=z.grid_row,
            grid_col=z.grid_col,
            industries={zi.industry_code: zi.intensity for zi in taxonomy.industries_of_zone(z.code)},
        )
        for z in taxonomy.zones.values()
    ]
