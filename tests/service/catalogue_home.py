"""A small home with real catalogue editions, made by the catalogue job on the small synthetic store of
``tests/training/catalogue`` (two chains, two zones, data 2016–2019, catalogue year 2020):

* edition 1 — seed 3, published;
* edition 2 — seed 4, a draft after the market moved: job seekers of the first three occupations that
  edition 1 left out fell to a fifth over the last year, so they become short (a diff against edition 1).

Built once per test session (about 10 s, both forecasters trained twice) into a template; ``copy_home``
gives each caller its own copy of the SQLite file and the files (the ``published/`` symlink included).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select, update

from models.storage import orm
from models.storage.database import make_engine, session_factory, transaction
from tests.conftest import reference_taxonomy
from tests.training.catalogue.conftest import FAST, YEAR, build_store
from training.catalogue.job import CatalogueJob, Outcome

DB_NAME = "talentcluster.db"


@dataclass(frozen=True)
class CatalogueHome:
    home: Path
    published: Outcome
    draft: Outcome
    year: int = YEAR

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.home / DB_NAME}"


_template: CatalogueHome | None = None


def _build(home: Path) -> CatalogueHome:
    taxonomy = reference_taxonomy()
    url = build_store(home / DB_NAME, taxonomy)
    engine = make_engine(url)
    try:

        def job(seed: int) -> CatalogueJob:
            return CatalogueJob(
                factory=session_factory(engine),
                taxonomy=taxonomy,
                root=home / "catalogue",
                artifacts_dir=home / "artifacts",
                seed=seed,
                forecaster_params=FAST,
            )

        published = job(3).publish(YEAR)
        _seekers_fall(session_factory(engine), published.edition_id)
        draft = job(4).draft(YEAR)
    finally:
        engine.dispose()
    return CatalogueHome(home, published, draft)


def _seekers_fall(factory, edition_id: int) -> None:
    with transaction(factory) as session:
        listed = set(
            session.scalars(
                select(orm.CatalogueEntry.occupation_code).where(orm.CatalogueEntry.edition_id == edition_id)
            )
        )
        stored = sorted(set(session.scalars(select(orm.Observation.occupation_code))) - listed)[:3]
        session.execute(
            update(orm.Observation)
            .where(orm.Observation.occupation_code.in_(stored), orm.Observation.month >= date(YEAR - 1, 1, 1))
            .values(job_seekers=orm.Observation.job_seekers / 5)
        )


def copy_home(tmp_path_factory, name: str = "catalogue-home") -> CatalogueHome:
    """A fresh copy of the session's catalogue home (built on the first call)."""
    global _template
    if _template is None:
        _template = _build(tmp_path_factory.mktemp("catalogue-template"))
    target = tmp_path_factory.mktemp(name)
    shutil.copytree(_template.home, target, symlinks=True, dirs_exist_ok=True)
    return CatalogueHome(target, _template.published, _template.draft)
