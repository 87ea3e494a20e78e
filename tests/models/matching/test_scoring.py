import numpy as np
import pytest

from models.errors import ArtifactIncompatible, InvalidInput
from models.matching.scoring import (
    DEFAULT_WEIGHTS,
    FEATURES,
    HandWeightedScorer,
    LambdaRankReranker,
    check_groups,
)


def test_hand_weights_are_documented_and_sum_to_one():
    assert set(DEFAULT_WEIGHTS) == set(FEATURES)
    assert sum(DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    scorer = HandWeightedScorer()
    assert scorer.score(np.ones((1, len(FEATURES))))[0] == pytest.approx(1.0)
    one_feature = np.zeros((1, len(FEATURES)))
    one_feature[0, FEATURES.index("lexical")] = 1.0
    assert scorer.score(one_feature)[0] == pytest.approx(DEFAULT_WEIGHTS["lexical"])  # bounded swing


def test_groups_must_be_contiguous():
    assert check_groups(["a", "a", "b"]).tolist() == [2, 1]
    with pytest.raises(InvalidInput, match="contiguous"):
        check_groups(["a", "b", "a"])


def feedback(seed=0, groups=30, per=12):
    rng = np.random.default_rng(seed)
    x = rng.random((groups * per, len(FEATURES)))
    grade = np.clip((x[:, 3] * 3 + x[:, 2] - 0.5).round(), 0, 3).astype(int)  # skill coverage matters
    return x, grade, np.repeat(np.arange(groups), per)


def test_lambdarank_learns_from_feedback_and_round_trips(tmp_path):
    x, y, g = feedback()
    reranker = LambdaRankReranker(n_estimators=50).fit(x, y, g)
    scores = reranker.score(x)
    assert np.corrcoef(scores, y)[0, 1] > 0.5
    reranker.save(tmp_path)
    np.testing.assert_allclose(LambdaRankReranker.load(tmp_path).score(x), scores)


def test_reranker_refuses_bad_labels_and_foreign_cards(tmp_path):
    x, y, g = feedback()
    with pytest.raises(InvalidInput, match="labels"):
        LambdaRankReranker().fit(x, y + 5, g)
    LambdaRankReranker(n_estimators=5).fit(x, y, g).save(tmp_path)
    card = (tmp_path / "card.json").read_text().replace('"recency"', '"age"')
    (tmp_path / "card.json").write_text(card)
    with pytest.raises(ArtifactIncompatible, match="features"):
        LambdaRankReranker.load(tmp_path)
