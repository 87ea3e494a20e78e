"""A small synthetic store (two chains, two zones, 2016–2019) and a job factory over copies of it.

The store is built once per session; each test gets its own copy of the SQLite file and its own edition
root, while the forecaster artifacts are shared so that only the first job trains (the same inputs name
the same model version, so sharing is exactly what a rerun does).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert

from models.storage import orm
from models.storage.database import make_engine, session_factory, transaction, upgrade
from models.storage.reference import load_reference
from models.taxonomy import Taxonomy
from training.catalogue.job import CatalogueJob

REFERENCE = Path(__file__).resolve().parents[3] / "data" / "reference"
CHAINS = ("FIN", "NEV")
ZONES = ("zhongguancun", "cbd")
YEAR = 2020  # the data end in 2019-12: the catalogue year is the 12 months after
FAST = {"n_estimators": 25, "max_train_rows": 20_000, "max_calibration_rows": 20_000, "min_data_in_leaf": 10}


@pytest.fixture(scope="session")
def taxonomy() -> Taxonomy:
    return Taxonomy.load(REFERENCE)


def _observations(taxonomy: Taxonomy, seed: int, shift: float) -> list[dict]:
    rng = np.random.default_rng(seed)
    months = pd.date_range("2016-01-01", "2019-12-01", freq="MS")
    zones = [z for z in ZONES if z in taxonomy.zones]
    rows = []
    for chain in CHAINS:
        for seg in taxonomy.segments_of(chain):
            for link in taxonomy.talent_chain(seg.code):
                short = rng.random() < 0.3
                ratio = rng.uniform(2.0, 3.5) if short else rng.uniform(0.5, 1.2)
                trend = rng.uniform(-0.01, 0.03) + shift
                for z in zones:
                    base = rng.uniform(20, 120)
                    for t, m in enumerate(months):
                        level = base * np.exp(trend * t) * (1.15 if m.month in (3, 4, 9, 10) else 1.0)
                        postings = int(rng.poisson(level))
                        seekers = int(rng.poisson(level / ratio))
                        rows.append(
                            {
                                "zone_code": z,
                                "segment_code": seg.code,
                                "occupation_code": link.occupation_code,
                                "month": m.date(),
                                "postings": postings,
                                "job_seekers": seekers,
                                "hires": min(postings, seekers) // 2,
                                "median_wage_cny": round(9000 * (1.04 + 0.04 * short) ** (t / 12), -1),
                                "mean_days_to_fill": 20 * (1.1 if short else 1.0) ** (t / 12),
                                "source": "test",
                            }
                        )
    return rows


def build_store(path: Path, taxonomy: Taxonomy, *, seed: int = 7, shift: float = 0.0) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        load_reference(session, taxonomy)
    with transaction(factory) as session:
        session.execute(insert(orm.Observation), _observations(taxonomy, seed, shift))
        occupations = sorted(
            {
                link.occupation_code
                for c in CHAINS
                for s in taxonomy.segments_of(c)
                for link in taxonomy.talent_chain(s.code)
            }
        )
        for k, code in enumerate(occupations[:12]):
            profile = orm.TalentProfile(
                external_ref=f"p-{k}",
                pseudonym=f"ps-{k}",
                education_level="master",
                talent_level="professional",
                zone_code=ZONES[0],
                occupation_code=code,
                age_band="30-34",
            )
            profile.consents = [orm.ConsentScope(scope="pool:catalogue")] if k % 3 else []
            session.add(profile)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def store_template(tmp_path_factory, taxonomy) -> Path:
    path = tmp_path_factory.mktemp("store") / "template.db"
    build_store(path, taxonomy)
    return path


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("artifacts")


@pytest.fixture
def make_job(tmp_path, store_template, artifacts, taxonomy):
    """``make_job(name, **kw)``: a job over this test's own copy of the store (one copy per name)."""
    engines = []

    def make(name: str = "a", **kw) -> CatalogueJob:
        db = tmp_path / f"{name}.db"
        if not db.exists():
            shutil.copy(store_template, db)
        engine = make_engine(f"sqlite:///{db}")
        engines.append(engine)
        params = {
            "factory": session_factory(engine),
            "taxonomy": taxonomy,
            "root": tmp_path / f"{name}-catalogue",
            "artifacts_dir": artifacts,
            "seed": 3,
            "forecaster_params": FAST,
        }
        return CatalogueJob(**(params | kw))

    yield make
    for engine in engines:
        engine.dispose()
