"""The build-index and train-ranker jobs on a tiny database: versions, cards, caches, consent."""

from __future__ import annotations

import json

import pytest

from models.matching.index_store import CANDIDATES, MatchingIndex, current_version
from models.matching.taxonomy_channel import OccupationMatcher
from models.storage import orm
from models.storage.database import transaction
from tests.conftest import REFERENCE_DIR, reference_taxonomy
from training.matching.index_job import build_index
from training.matching.ranker_job import train_ranker

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def factory(migrated):
    taxonomy = reference_taxonomy()
    zone, level = sorted(taxonomy.zones)[0], sorted(taxonomy.talent_levels)[0]
    segment = sorted(taxonomy.segments)[0]
    with transaction(migrated) as session:
        enterprise = orm.Enterprise(code="acme", name="Acme")
        session.add(enterprise)
        session.flush()
        for i in range(12):
            profile = orm.TalentProfile(
                external_ref=f"p{i}",
                pseudonym=f"T-{i:012d}",
                summary=f"Data analyst number {i}, SQL.",
                titles=["Data analyst"],
                skills=["SQL", "Python"],
                education_level="master",
                years_experience=i,
                talent_level=level,
                zone_code=zone,
                age_band="25-34",
            )
            session.add(profile)
            session.flush()
            scopes = {0: [], 1: ["tenant:acme"], 2: ["pool:catalogue"]}.get(i, ["pool:matching"])
            session.add_all(orm.ConsentScope(profile_id=profile.id, scope=s) for s in scopes)
        for status in ("open", "archived"):
            session.add(
                orm.Project(
                    enterprise_id=enterprise.id,
                    external_ref=status,
                    title=f"Analytics ({status})",
                    description="Dashboards and SQL.",
                    kind="research",
                    segment_code=segment,
                    zone_code=zone,
                    required_skills=["SQL"],
                    talent_level=level,
                    min_education="bachelor",
                    status=status,
                )
            )
    return migrated


def test_a_build_publishes_a_new_version_with_a_card_and_never_touches_the_serving_one(
    factory, minilm, tmp_path
):
    index_dir = tmp_path / "index"
    first = build_index(factory, reference_taxonomy(), minilm, index_dir, reference_dir=REFERENCE_DIR)
    assert current_version(index_dir) == first.version
    assert first.profiles == 10 and first.profiles_without_consent == 2 and first.projects == 1
    card = json.loads((index_dir / first.version / "card.json").read_text())
    assert card["fusion"]["default"]["weights"]["lexical"] == 1.0 and card["db_read_at"] > 0
    documents = (index_dir / first.version / CANDIDATES / "documents.jsonl").read_bytes()

    second = build_index(factory, reference_taxonomy(), minilm, index_dir, reference_dir=REFERENCE_DIR)
    assert second.version != first.version and current_version(index_dir) == second.version
    assert (index_dir / first.version / CANDIDATES / "documents.jsonl").read_bytes() == documents
    assert second.texts_embedded == 0  # every text came from the embedding cache
    card = json.loads((index_dir / second.version / "card.json").read_text())
    assert card["taxonomy_codes_reused"] == 11  # 10 profiles + 1 open project


def test_the_tenant_scope_admits_a_person_to_that_tenants_searches_only(factory, minilm, tmp_path):
    from models.matching.filters import Document, Filters
    from models.talent import matching_scopes

    report = build_index(factory, reference_taxonomy(), minilm, tmp_path / "index")
    index = MatchingIndex.load(
        tmp_path / "index" / report.version,
        minilm,
        OccupationMatcher(reference_taxonomy().occupations.values()),
    )
    query = Document(-1, "project", "Data analyst with SQL", title="Data analyst")

    def ids(tenant):
        filters = Filters(consent_any=matching_scopes(tenant, "research"))
        return {m.id for m in index.candidates.search(query, "project_to_candidates", 100, filters)}

    assert 2 in ids("acme") and 2 not in ids("other")  # profile 2 holds tenant:acme only
    assert not {1, 3} & ids("acme")  # no scope; pool:catalogue alone does not match


def test_without_enough_feedback_the_hand_weighted_scorer_stays(factory, minilm, tmp_path):
    taxonomy = reference_taxonomy()
    build_index(factory, taxonomy, minilm, tmp_path / "index")
    before = current_version(tmp_path / "index")
    matcher = OccupationMatcher(taxonomy.occupations.values())
    report = train_ranker(
        factory, taxonomy, lambda p: MatchingIndex.load(p, minilm, matcher), tmp_path / "index"
    )
    assert not report.trained and "not enough feedback" in report.reason
    assert current_version(tmp_path / "index") == before


def test_with_feedback_a_re_ranker_is_published_as_a_new_version_and_orders_candidates(
    factory, minilm, tmp_path
):
    taxonomy = reference_taxonomy()
    build_index(factory, taxonomy, minilm, tmp_path / "index")
    before = current_version(tmp_path / "index")
    with transaction(factory) as session:
        project = session.query(orm.Project).filter_by(status="open").one()
        for rank, (profile_id, label) in enumerate([(4, "hired"), (5, "contacted"), (6, "rejected")], 1):
            session.add(
                orm.MatchFeedback(project_id=project.id, profile_id=profile_id, label=label, rank_shown=rank)
            )
    matcher = OccupationMatcher(taxonomy.occupations.values())
    report = train_ranker(
        factory,
        taxonomy,
        lambda p: MatchingIndex.load(p, minilm, matcher),
        tmp_path / "index",
        min_projects=1,
        min_labels=3,
    )
    assert report.trained and report.version != before
    index = MatchingIndex.load(tmp_path / "index" / report.version, minilm, matcher)
    assert index.candidates.reranker is not None and index.card["derived_from"] == before
    assert (tmp_path / "index" / before / "card.json").exists()  # the serving version is untouched


def test_build_index_if_stale_builds_only_after_the_database_changed(
    factory, minilm, tmp_path, monkeypatch, database_url
):
    import copy

    from typer.testing import CliRunner

    from models.index_status import index_status
    from talentcluster.commands import match

    monkeypatch.setenv("TALENTCLUSTER_HOME", str(tmp_path))
    monkeypatch.setenv("TALENTCLUSTER_DATABASE_URL", database_url)
    monkeypatch.setattr(match, "_encoder", lambda model, threads: copy.copy(minilm))
    index_dir = tmp_path / "index"

    def build() -> dict:
        result = CliRunner().invoke(match.app, ["build-index", "--if-stale", "--progress", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output.strip().splitlines()[-1])["result"]

    def status():
        with factory() as session:
            return index_status(session, index_dir)

    assert status().version is None and status().stale
    first = build()
    assert not first.get("skipped") and current_version(index_dir) == first["version"]
    assert not status().stale and status().counts["profiles"] == 10
    again = build()
    assert again == {"version": first["version"], "serving": True, "skipped": True}
    with transaction(factory) as session:
        session.get(orm.TalentProfile, 5).summary = "Data analyst, now also Spark."
    assert status().profiles_written_since == 1 and status().stale
    second = build()
    assert second["version"] != first["version"] and not status().stale
