"""A tiny labour-market store for forecast-run tests: one chain, two segments, two occupations each, two
zones in different districts, 48 months — 8 series written straight into the observation table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from models.storage.database import make_engine, transaction
from models.storage.orm import Observation
from models.taxonomy import Taxonomy
from tests.conftest import migrate_with_reference, reference_taxonomy

FAST_PARAMS = {
    "n_estimators": 8,
    "min_data_in_leaf": 5,
    "max_train_rows": 20_000,
    "max_calibration_rows": 20_000,
}
HORIZON = 6
MONTHS = 48


def tiny_scope(taxonomy) -> dict:
    """Codes of the tiny store: an industry with two segments in two zones of different districts."""
    for industry in sorted(taxonomy.industries):
        segments = [s.code for s in taxonomy.segments_of(industry)][:2]
        zones = sorted({zi.zone_code for zi in taxonomy.zone_industries if zi.industry_code == industry})
        by_district: dict[str, str] = {}
        for z in zones:
            by_district.setdefault(taxonomy.zones[z].district_code, z)
        if len(segments) == 2 and len(by_district) >= 2:
            occupations = {
                s: [link.occupation_code for link in taxonomy.talent_chain(s)[:2]] for s in segments
            }
            return {
                "industry": industry,
                "segments": segments,
                "zones": sorted(by_district.values())[:2],
                "occupations": occupations,
            }
    raise AssertionError("the reference taxonomy has no industry fit for the tiny store")


def write_tiny_store(factory, taxonomy, *, seed: int = 5, months: int = MONTHS) -> dict:
    """Insert the tiny store's observations; returns its scope (see :func:`tiny_scope`)."""
    scope = tiny_scope(taxonomy)
    rng = np.random.default_rng(seed)
    rows = []
    t = np.arange(months)
    for zone in scope["zones"]:
        for segment in scope["segments"]:
            for k, occupation in enumerate(scope["occupations"][segment]):
                level = rng.uniform(20, 80)
                trend = 1 + (0.02 if k == 0 else -0.005) * t
                season = 1 + 0.1 * np.sin(2 * np.pi * t / 12)
                postings = rng.poisson(level * trend * season)
                seekers = rng.poisson(level * (0.6 if k == 0 else 1.5) * season)
                for m in range(months):
                    rows.append(
                        {
                            "zone_code": zone,
                            "segment_code": segment,
                            "occupation_code": occupation,
                            "month": date(2020 + m // 12, m % 12 + 1, 1),
                            "postings": int(postings[m]),
                            "job_seekers": int(seekers[m]),
                            "hires": int(min(postings[m], seekers[m]) * 0.7),
                            "median_wage_cny": float(15000 * (1 + 0.004 * m) + rng.normal(0, 200)),
                            "mean_days_to_fill": float(30 + (0.3 * m if k == 0 else 0) + rng.normal(0, 2)),
                            "source": "tests",
                        }
                    )
    with transaction(factory) as session:
        session.execute(insert(Observation), rows)
    return scope


@dataclass(frozen=True)
class TinyStore:
    url: str
    factory: object  # sessionmaker
    taxonomy: Taxonomy
    scope: dict  # tiny_scope's codes


@contextmanager
def tiny_store_database(path: Path) -> Iterator[TinyStore]:
    """A migrated SQLite database at ``path`` holding the reference data and the tiny store."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    try:
        factory = migrate_with_reference(engine)
        taxonomy = reference_taxonomy()
        yield TinyStore(url, factory, taxonomy, write_tiny_store(factory, taxonomy))
    finally:
        engine.dispose()
