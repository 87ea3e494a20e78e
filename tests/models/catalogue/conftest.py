"""Catalogue documents built from hand-made figures (no store, no model): fast and exact."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from models.catalogue.build import EditionMeta, SegmentFigures, build_document
from models.catalogue.rules import Indicators, rules
from models.taxonomy import Taxonomy

REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference"


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return Taxonomy.load(REFERENCE)


def figure(taxonomy, segment: str, k: int, ratio: float, p: float, **kw) -> SegmentFigures:
    """The k-th occupation of ``segment`` with a forecast ratio and P(short)."""
    link = taxonomy.talent_chain(segment)[k]
    postings = 1000.0 * ratio
    weight = taxonomy.industries[taxonomy.segments[segment].industry_code].strategic_weight
    return SegmentFigures(
        segment_code=segment,
        occupation_code=link.occupation_code,
        postings=postings,
        job_seekers=1000.0,
        gap=postings - 1000.0,
        gap_lo80=postings - 1800.0,
        gap_hi80=postings - 600.0,
        indicators=Indicators(
            shortage_index=ratio,
            p_short=p,
            days_to_fill_growth=kw.pop("fill", math.nan),
            wage_growth=kw.pop("wage", math.nan),
            strategic_weight=weight,
        ),
        wage_p25=12_340.0,
        wage_p75=18_760.0,
        zones=(("cbd", 120.0),),
        forecast_reason_zh="岗位需求同比增长12%",
        forecast_reason_en="postings +12% y/y",
        **kw,
    )


def document(taxonomy, figures, year: int = 2027) -> dict:
    meta = EditionMeta(
        year, "2026.1", 0, ("2015-01-01", f"{year - 1}-10-01"), {"postings": {"version": "m1"}}
    )
    return build_document(figures, taxonomy, rules("2026.1"), meta, {f.occupation_code: 3 for f in figures})


@pytest.fixture
def sample(taxonomy) -> dict:
    """Two chains; NIT has a severe, a marked and a moderate entry; one occupation is not short."""
    return document(
        taxonomy,
        [
            figure(taxonomy, "NIT-1", 0, 3.0, 0.97, fill=0.2, wage=0.08),
            figure(taxonomy, "NIT-1", 1, 2.0, 0.8),
            figure(taxonomy, "NIT-2", 0, 1.6, 0.55),
            figure(taxonomy, "NIT-2", 1, 0.9, 0.05),
            figure(taxonomy, "FIN-1", 0, 2.6, 0.95),
        ],
    )
