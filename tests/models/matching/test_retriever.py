from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.errors import ArtifactIncompatible, InvalidInput
from models.matching.evidence import indexed_text
from models.matching.filters import CONSENT_SCOPES, TALENT_LEVELS, Document, Filters
from models.matching.retriever import Direction, HybridRetriever
from models.matching.taxonomy_channel import OccupationMatcher

ZONES = ("zhongguancun", "yizhuang", "haidian")
TEXTS = (
    ("数据分析师", "负责数据清洗与统计分析，熟练使用Python。"),
    ("Data engineer", "Builds data pipelines with Spark and SQL."),
    ("临床监查员", "负责临床试验监查和数据核查。"),
    ("Fund manager", "Portfolio management and risk control."),
)


def profile(i, rng, consent=("pool:matching",)):
    title, text = TEXTS[i % len(TEXTS)]
    return Document(
        id=i,
        kind="profile",
        title=title,
        text=f"{text} #{i}",
        zone=ZONES[i % 3],
        talent_level=TALENT_LEVELS[i % len(TALENT_LEVELS)],
        education=("doctorate", "master", "bachelor")[i % 3],
        years_experience=float(i % 15),
        consent=frozenset(consent),
        updated=date(2025, 1 + i % 12, 1),
    )


@pytest.fixture
def retriever(hash_encoder, occupations):
    rng = np.random.default_rng(0)
    r = HybridRetriever(hash_encoder, OccupationMatcher(occupations), pool_size=50)
    docs = [profile(i, rng, ("pool:matching",) if i % 5 else ("kind:research",)) for i in range(60)]
    docs += [
        Document(1000 + i, "project", title=t, text=x, skills=("data cleaning", "SQL"))
        for i, (t, x) in enumerate(TEXTS)
    ]
    r.upsert(docs)
    return r


PROJECT = Document(
    -1,
    "project",
    title="Industrial data analytics",
    text="Need a data analyst for data cleaning and statistical analysis.",
    skills=("Python",),
    talent_level="professional",
    zone="zhongguancun",
)


filters = st.builds(
    Filters,
    zones=st.none() | st.frozensets(st.sampled_from(ZONES), min_size=1),
    talent_levels=st.none() | st.frozensets(st.sampled_from(TALENT_LEVELS), min_size=1),
    min_education=st.none() | st.sampled_from(("master", "bachelor", "doctorate")),
    min_years=st.none() | st.floats(0, 14),
    consent=st.frozensets(st.sampled_from(CONSENT_SCOPES), max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=filters, top_k=st.integers(1, 30))
def test_filters_and_consent_are_never_violated_and_k_is_filled(retriever, f, top_k):
    matches = retriever.search(PROJECT, Direction.PROJECT_TO_CANDIDATES, top_k=top_k, filters=f)
    eligible = [
        d
        for d in map(retriever.get, range(60))
        if f.allows(d) and "pool:matching" in d.consent and d.kind == "profile"
    ]
    for m in matches:
        doc = retriever.get(m.id)
        assert f.allows(doc) and "pool:matching" in doc.consent and doc.kind == "profile"
    # every eligible document is reachable by some channel here (the hashing encoder sees all)
    assert len(matches) == min(top_k, len(eligible))


def test_every_match_has_reasons_with_phrases_codes_and_parts(retriever):
    matches = retriever.search(PROJECT, "project_to_candidates", top_k=10, today=date(2025, 12, 1))
    assert matches
    for m in matches:
        assert set(m.reasons.score_parts) >= {"dense", "lexical", "taxonomy", "skill_coverage"}
        assert sum(m.reasons.score_parts.values()) == pytest.approx(m.score, abs=0.05)
        assert m.reasons.requirements_met or m.reasons.requirements_missing
    best = next(m for m in matches if m.reasons.occupation_codes)
    assert best.reasons.occupation_codes[0].code == "TC-2521-01"
    zh = next(m for m in matches if retriever.get(m.id).title == "数据分析师")
    met = {r.requirement: r for r in zh.reasons.requirements_met}
    assert met["data cleaning"].how == "skill" and "数据清洗" in met["data cleaning"].phrase  # en ↔ zh


def test_profile_finds_projects_not_profiles(retriever):
    matches = retriever.search(retriever.get(1), "profile_to_opportunities", top_k=10)
    assert matches and all(m.kind == "project" for m in matches)


def test_empty_or_oversized_queries_and_bad_top_k_are_refused(retriever):
    with pytest.raises(InvalidInput, match="empty") as exc:
        retriever.search("   ", "project_to_candidates")
    assert exc.value.field == "text"
    with pytest.raises(InvalidInput, match="4000") as exc:
        retriever.search("x" * 4001, "project_to_candidates")
    assert exc.value.field == "text"
    for bad in (0, 101):
        with pytest.raises(InvalidInput, match="top_k"):
            retriever.search("data", "project_to_candidates", top_k=bad)
    with pytest.raises(InvalidInput, match="profile_to_opportunities"):
        retriever.search("data", "sideways")


def test_upsert_and_delete_are_visible_to_the_next_query(retriever):
    top = retriever.search(PROJECT, "project_to_candidates", top_k=1)[0].id
    retriever.delete([top])
    assert top not in [m.id for m in retriever.search(PROJECT, "project_to_candidates", top_k=50)]
    retriever.upsert(
        [
            Document(
                5000, "profile", title="BI analyst", text=PROJECT.text, consent=frozenset({"pool:matching"})
            )
        ]
    )
    assert 5000 in [m.id for m in retriever.search(PROJECT, "project_to_candidates", top_k=3)]
    retriever.upsert([Document(5000, "profile", title="BI analyst", text=PROJECT.text)])  # consent withdrawn
    assert 5000 not in [m.id for m in retriever.search(PROJECT, "project_to_candidates", top_k=50)]


def test_a_deletion_leaves_every_channel_without_rebuilding_the_snapshot(retriever):
    text = PROJECT.full_text
    before = retriever.channel_hits(text, 50)
    gone = int(before["lexical"].ids[0])
    assert gone in before["taxonomy"].ids or gone in before["dense"].ids  # found by more than one channel
    snapshot = retriever._snap
    retriever.delete([gone])
    after = retriever.channel_hits(text, 50)
    assert retriever._snap is snapshot  # marked removed, not rebuilt: no pause for the next query
    for channel, hits in after.items():
        assert gone not in hits.ids, channel
    assert gone not in [m.id for m in retriever.search(PROJECT, "project_to_candidates", top_k=100)]


def test_a_rewritten_profile_meets_requirements_by_its_new_text(retriever):
    """The skill look-ups behind the reasons are remembered per document: a write must forget them."""
    consent = frozenset({"pool:matching"})
    old = Document(5001, "profile", title="BI analyst", text=PROJECT.text, consent=consent)
    retriever.upsert([old])

    def requirements_met(doc_id):
        retriever.search(PROJECT, "project_to_candidates", top_k=100)  # the next answer comes from memory
        matches = retriever.search(PROJECT, "project_to_candidates", top_k=100)
        m = next(m for m in matches if m.id == doc_id)
        return {r.requirement for r in m.reasons.requirements_met}

    assert "Python" not in requirements_met(5001)
    retriever.upsert(
        [
            Document(
                5001, "profile", title="BI analyst", text=PROJECT.text + " 熟练使用Python。", consent=consent
            )
        ]
    )
    assert "Python" in requirements_met(5001)
    reverse = retriever.search(retriever.get(5001), "profile_to_opportunities", top_k=10)
    project = next(m for m in reverse if retriever.get(m.id).skills)
    retriever.upsert(
        [Document(project.id, "project", title="Data engineer", text="Spark.", skills=("Fortran",))]
    )
    again = next(
        m
        for m in retriever.search(retriever.get(5001), "profile_to_opportunities", top_k=10)
        if m.id == project.id
    )
    assert "Fortran" in again.reasons.requirements_missing


def test_save_and_load_round_trip_gives_identical_matches(retriever, tmp_path, hash_encoder):
    retriever.save(tmp_path)
    loaded = HybridRetriever.load(tmp_path, hash_encoder, retriever.matcher)
    a = retriever.search(PROJECT, "project_to_candidates", top_k=20, today=date(2025, 6, 1))
    b = loaded.search(PROJECT, "project_to_candidates", top_k=20, today=date(2025, 6, 1))
    assert [(m.id, m.score) for m in a] == [(m.id, m.score) for m in b]
    hash_encoder.model_id_ = "another-model"
    with pytest.raises(ArtifactIncompatible, match="another-model"):
        HybridRetriever.load(tmp_path, hash_encoder)


def test_profile_skills_are_saved_with_the_index_so_queries_never_scan_for_them(
    retriever, tmp_path, hash_encoder, monkeypatch
):
    retriever.save(tmp_path)
    loaded = HybridRetriever.load(tmp_path, hash_encoder, retriever.matcher)
    profiles = [i for i in retriever._docs if retriever.get(i).kind == "profile"]
    assert any(retriever._pairs.evidence.known_skills(i) for i in profiles)
    for i in profiles:
        assert loaded._pairs.evidence.known_skills(i) == retriever._pairs.evidence.known_skills(i)
    expected = retriever.search(PROJECT, "project_to_candidates", top_k=20, today=date(2025, 6, 1))
    scanned = []
    original = loaded.matcher.skills
    monkeypatch.setattr(loaded.matcher, "skills", lambda text: scanned.append(text) or original(text))
    got = loaded.search(PROJECT, "project_to_candidates", top_k=20, today=date(2025, 6, 1))
    assert [(m.id, m.reasons) for m in got] == [(m.id, m.reasons) for m in expected]
    profile_texts = {indexed_text(loaded.get(i)) for i in profiles}
    assert not profile_texts & set(scanned)


def test_fusion_rules_per_language_are_saved_with_the_retriever(retriever, tmp_path, hash_encoder):
    from models.matching.fusion import Fusion, FusionRule

    retriever.fusion = Fusion(
        FusionRule({"dense": 1.0, "lexical": 1.0, "taxonomy": 1.0}),
        {"zh": FusionRule({"dense": 0.0, "lexical": 1.0, "taxonomy": 0.5}, "score")},
    )
    retriever.save(tmp_path)
    loaded = HybridRetriever.load(tmp_path, hash_encoder, retriever.matcher)
    assert loaded.fusion == retriever.fusion
    zh = Document(-1, "project", title="数据分析师", text="负责数据清洗与统计分析")
    a = retriever.search(zh, "project_to_candidates", top_k=10, today=date(2025, 6, 1))
    b = loaded.search(zh, "project_to_candidates", top_k=10, today=date(2025, 6, 1))
    assert [(m.id, m.score) for m in a] == [(m.id, m.score) for m in b]


def test_weights_and_fusion_are_alternatives(hash_encoder):
    from models.matching.fusion import Fusion

    with pytest.raises(InvalidInput, match="not both"):
        HybridRetriever(hash_encoder, weights={"dense": 1.0}, fusion=Fusion.equal(["dense"]))


def test_a_chinese_query_reaches_english_profiles_through_the_lexical_channel(hash_encoder, occupations):
    english = Document(
        1,
        "profile",
        title="Data engineer",
        text="Builds data pipelines.",
        consent=frozenset({"pool:matching"}),
    )
    query = "招聘数据工程师，负责数据管道"
    for translate, found in ((True, True), (False, False)):
        r = HybridRetriever(hash_encoder, OccupationMatcher(occupations), translate_queries=translate)
        r.upsert([english])
        assert (1 in r.channel_hits(query, 10)["lexical"].ids.tolist()) is found
