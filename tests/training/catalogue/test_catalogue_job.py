"""The catalogue job: reproducible bytes, atomic and idempotent publication, resumable after a crash."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import select

from models.storage import orm
from training.catalogue.job import file_names

from .conftest import YEAR


def _hashes(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def _editions(job) -> list[tuple[int, int, str, str]]:
    with job.factory() as session:
        rows = session.scalars(select(orm.CatalogueEdition).order_by(orm.CatalogueEdition.id))
        return [(e.year, e.version, e.status, e.content_sha256) for e in rows]


def test_two_runs_on_the_same_data_write_identical_bytes(make_job, tmp_path):
    first = make_job("one").publish(YEAR, out=tmp_path / "out-one")
    second = make_job("two").publish(YEAR, out=tmp_path / "out-two")
    assert first.content_sha256 == second.content_sha256
    assert _hashes(tmp_path / "out-one") == _hashes(tmp_path / "out-two")
    assert set(_hashes(tmp_path / "out-one")) == set(file_names(YEAR).values())


def test_publishing_the_same_year_twice_duplicates_nothing(make_job):
    job = make_job()
    first = job.publish(YEAR)
    again = job.publish(YEAR)
    assert again.edition_id == first.edition_id and again.unchanged
    assert _editions(job) == [(YEAR, 1, "published", first.content_sha256)]
    assert (job.root / "published" / str(YEAR)).resolve() == first.directory.resolve()


def test_changed_content_becomes_a_new_version_and_supersedes_the_old(make_job):
    job = make_job()
    first = job.publish(YEAR)
    second = make_job(seed=4).publish(YEAR)  # another seed: other P(short) draws, other content
    assert second.content_sha256 != first.content_sha256
    assert [e[:3] for e in _editions(job)] == [(YEAR, 1, "superseded"), (YEAR, 2, "published")]
    diff = json.loads((second.directory / file_names(YEAR)["diff"]).read_text())
    assert diff["previous"] == f"{YEAR}-{first.content_sha256[:8]}"


def test_provenance_records_models_data_window_rules_and_hash(make_job):
    outcome = make_job().publish(YEAR)
    (edition,) = _all(make_job())
    p = edition.provenance
    assert edition.content_sha256 == outcome.content_sha256 and edition.rules_version == "2026.1"
    assert p["data_window"] == {"start": "2016-01-01", "end": "2019-12-01"}
    assert set(p["models"]) == {"postings", "job_seekers"}
    assert all(m["card"]["data_sha256"] for m in p["models"].values())
    assert [h["status"] for h in p["history"]] == ["draft", "reviewed", "published"]
    manifest = json.loads((outcome.directory / "manifest.json").read_text())
    assert manifest["content_sha256"] == outcome.content_sha256 and manifest["files"] == p["files"]


def _all(job) -> list[orm.CatalogueEdition]:
    with job.factory() as session:
        return list(session.scalars(select(orm.CatalogueEdition).order_by(orm.CatalogueEdition.id)))
