import math

import pytest

from models.matching.fusion import rrf, tune_weights
from models.matching.metrics import average_precision, ndcg_at_k, recall_at_k, reciprocal_rank, summarise


def test_rrf_rewards_agreement_and_respects_weights():
    fused = rrf({"dense": [1, 2, 3], "lexical": [2, 1, 4]})
    assert [d for d, _ in fused][:2] in ([1, 2], [2, 1])
    assert fused[0][1] == pytest.approx(1 / 61 + 1 / 62)
    assert [d for d, _ in rrf({"dense": [1, 2], "lexical": [2, 1]}, {"dense": 0.0, "lexical": 1.0})] == [2, 1]


def test_metrics_known_values():
    rel = {"a": 1, "b": 1}
    assert ndcg_at_k(["a", "x", "b"], rel) == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))
    assert average_precision(["a", "x", "b"], rel) == pytest.approx((1 + 2 / 3) / 2)
    assert recall_at_k(["a", "x", "b"], rel, 2) == 0.5
    assert reciprocal_rank(["x", "b"], rel) == 0.5
    report = summarise({"q": ["a", "b"]}, {"q": rel})
    assert report["ndcg@10"] == 1.0 and report["queries"] == 1


def test_tuning_finds_the_weight_that_maximises_the_objective():
    weights, value = tune_weights(["dense", "lexical"], lambda w: -abs(w["lexical"] - 1.5))
    assert weights["lexical"] == 1.5 and value == 0
