"""Publication is atomic: a crash between any two steps leaves the published edition as it was."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from models.storage import orm
from training.catalogue.job import STEPS, StepFailed, fail_after

from .conftest import FAST, YEAR


def _hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def _editions(job) -> list[tuple[int, int, str, str]]:
    with job.factory() as session:
        rows = session.scalars(select(orm.CatalogueEdition).order_by(orm.CatalogueEdition.id))
        return [(e.year, e.version, e.status, e.content_sha256) for e in rows]


@pytest.fixture(scope="session")
def published_once(tmp_path_factory, store_template, artifacts, taxonomy):
    """A store and edition root in which version 1 of the year is published (built once, then copied)."""
    from models.storage.database import make_engine, session_factory
    from training.catalogue.job import CatalogueJob

    home = tmp_path_factory.mktemp("published-once")
    shutil.copy(store_template, home / "a.db")
    engine = make_engine(f"sqlite:///{home / 'a.db'}")
    CatalogueJob(
        session_factory(engine), taxonomy, home / "a-catalogue", artifacts, seed=3, forecaster_params=FAST
    ).publish(YEAR)
    engine.dispose()
    return home


@pytest.fixture
def with_published(published_once, tmp_path):
    shutil.copy(published_once / "a.db", tmp_path / "a.db")
    shutil.copytree(published_once / "a-catalogue", tmp_path / "a-catalogue", symlinks=True)


def _all(job) -> list[orm.CatalogueEdition]:
    with job.factory() as session:
        return list(session.scalars(select(orm.CatalogueEdition).order_by(orm.CatalogueEdition.id)))


@pytest.mark.parametrize("step", STEPS[:-1])
def test_a_crash_after_any_step_leaves_the_published_edition_intact_and_a_rerun_completes(
    with_published, make_job, step
):
    before = make_job().publish(YEAR)
    assert before.unchanged
    files_before = _hashes(before.directory)
    crashing = make_job(seed=4, after_step=fail_after(step))
    with pytest.raises(StepFailed):
        crashing.publish(YEAR)
    rows = _editions(crashing)
    published = [r for r in rows if r[2] == "published"]
    if STEPS.index(step) < STEPS.index("publish"):
        assert published == [(YEAR, 1, "published", before.content_sha256)]
        assert (crashing.root / "published" / str(YEAR)).resolve() == before.directory.resolve()
    assert _hashes(before.directory) == files_before
    after = make_job(seed=4).publish(YEAR)
    rows = _editions(crashing)
    assert [r[:3] for r in rows] == [(YEAR, 1, "superseded"), (YEAR, 2, "published")]
    assert rows[1][3] == after.content_sha256
    assert (crashing.root / "published" / str(YEAR)).resolve() == after.directory.resolve()
    assert _hashes(before.directory) == files_before
    assert len(list((crashing.root / "editions" / str(YEAR)).iterdir())) == 2  # no leftovers


def test_a_crashed_draft_can_be_discarded_instead(make_job):
    job = make_job(after_step=fail_after("record_draft"))
    with pytest.raises(StepFailed):
        job.publish(YEAR)
    ((edition_id, *_),) = [(e.id,) for e in _all(job)]
    directory = job.root / _all(job)[0].provenance["directory"]
    assert directory.is_dir()
    job.discard(edition_id)
    assert [e.status for e in _all(job)] == ["discarded"] and not directory.exists()
    fresh = make_job().publish(YEAR)
    assert fresh.version == 2 and fresh.status == "published"
