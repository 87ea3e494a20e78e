"""Fusion rules per query language, their persistence, and the vectorised tuner against the reference."""

import numpy as np
import pytest

from models.errors import ArtifactIncompatible, InvalidInput
from models.matching.fusion import Fusion, FusionRule, rrf, score_fusion
from models.matching.fusion_tuning import _Batch, candidate_rules, tune_fusion
from models.matching.metrics import ndcg_at_k

CHANNELS = ("dense", "lexical", "taxonomy")


def test_score_fusion_normalises_each_channel_by_its_best_hit():
    fused = score_fusion(
        {"dense": ([1, 2], [0.9, 0.45]), "lexical": ([2, 3], [30.0, 15.0])}, {"dense": 1, "lexical": 1}
    )
    assert [d for d, _ in fused] == [2, 1, 3]
    assert dict(fused)[2] == pytest.approx(0.5 + 1.0)


def test_the_rule_of_the_query_language_is_used():
    scored = {"dense": ([1, 2], [0.9, 0.8]), "lexical": ([2, 1], [9.0, 1.0])}
    fusion = Fusion(
        FusionRule({"dense": 1.0, "lexical": 1.0}),
        {"zh": FusionRule({"dense": 0.0, "lexical": 1.0}), "en": FusionRule({"dense": 1.0, "lexical": 0.0})},
    )
    assert fusion.fuse(scored, "数据分析师")[0][0] == 2
    assert fusion.fuse(scored, "data analyst")[0][0] == 1


def test_fusion_round_trips_through_json_and_refuses_another_format(tmp_path):
    fusion = Fusion(FusionRule({"dense": 1.0}, "rrf", 20), {"zh": FusionRule({"lexical": 1.0}, "score")})
    fusion.save(tmp_path / "f.json", tuning={"split": "validation"})
    assert Fusion.load(tmp_path / "f.json") == fusion
    assert Fusion.from_json({"weights": {"dense": 1.0}}).default.weights == {"dense": 1.0}
    with pytest.raises(ArtifactIncompatible, match="format"):
        Fusion.from_json({"format": 99, "default": fusion.default.to_json()})


def test_a_rule_needs_a_known_method_and_a_positive_weight():
    with pytest.raises(InvalidInput, match="rrf"):
        FusionRule({"dense": 1.0}, "borda")
    with pytest.raises(InvalidInput, match="weights"):
        FusionRule({"dense": 0.0})


def _synthetic_runs(seed, n=60):
    """Queries where lexical is right for Chinese, dense for English, and taxonomy is tied in blocks."""
    rng = np.random.default_rng(seed)
    runs, qrels, texts = {}, {}, {}
    for i in range(n):
        q = f"q{i}"
        zh = i % 2 == 0
        texts[q] = "数据分析" if zh else "data analysis"
        relevant = [f"d{j}" for j in rng.choice(200, 3, replace=False)]
        qrels[q] = {d: int(g) for d, g in zip(relevant, (3, 2, 1), strict=True)}
        noise = [f"d{j}" for j in rng.permutation(200)[:40]]
        good = relevant + [d for d in noise if d not in relevant]
        bad = [d for d in noise if d not in relevant] + relevant
        ranked = {"lexical": good if zh else bad, "dense": bad if zh else good, "taxonomy": noise[:20]}
        runs[q] = {
            c: (
                ids,
                sorted(rng.random(len(ids)) if c != "taxonomy" else np.repeat([0.9, 0.5], 10), reverse=True),
            )
            for c, ids in ranked.items()
        }
    return runs, qrels, texts


def test_the_vectorised_tuner_scores_rules_exactly_as_the_fusion_does():
    runs, qrels, texts = _synthetic_runs(1)
    ids = list(runs)
    batch = _Batch([runs[q] for q in ids], [qrels[q] for q in ids], CHANNELS)
    for rule in candidate_rules(CHANNELS)[::53]:
        reference = [ndcg_at_k([d for d, _ in rule.fuse(runs[q])], qrels[q]) for q in ids]
        assert batch.per_query(rule, CHANNELS) == pytest.approx(reference, abs=1e-12)


def test_tuning_per_language_trusts_the_channel_that_works_for_that_language():
    runs, qrels, texts = _synthetic_runs(2)
    fusion, report = tune_fusion(runs, qrels, texts, CHANNELS, min_queries=10)
    zh, en = fusion.by_language["zh"].weights, fusion.by_language["en"].weights
    assert zh["lexical"] > zh["dense"] and en["dense"] > en["lexical"]
    assert report["zh"]["ndcg@10"] == pytest.approx(1.0) and report["en"]["ndcg@10"] == pytest.approx(1.0)


def test_a_language_with_too_few_validation_queries_falls_back_to_the_default_rule():
    runs, qrels, texts = _synthetic_runs(3, n=20)
    fusion, report = tune_fusion(runs, qrels, texts, CHANNELS, min_queries=30)
    assert fusion.by_language == {} and set(report) == {"default"}
    assert fusion.rule_for("数据") == fusion.default


def test_rrf_is_unchanged_for_plain_rankings():
    assert rrf({"dense": [1, 2], "lexical": [2, 1]}, {"dense": 0.0, "lexical": 1.0}, k=5)[0] == (2, 1 / 6)
