"""Match features, the documented hand-weighted scorer, and a LightGBM LambdaRank re-ranker.

Features (all in [0, 1]; the *requirement* side is the project or catalogue entry, the *candidate*
side the profile, whichever direction the search runs):

=============== ========================================================================= ======
feature         meaning                                                                   weight
=============== ========================================================================= ======
dense           cosine of the two embeddings, clipped at 0                                 0.25
lexical         BM25 score / best BM25 score in the candidate pool                         0.15
taxonomy        weighted overlap of occupation codes (``taxonomy_channel.overlap``)        0.20
skill_coverage  share of the requirement's skills found in the candidate                   0.20
level_fit       1 if the candidate is at least as senior as asked; −1/3 per level below    0.08
zone_fit        1 same zone, 0.6 same district, 0.3 elsewhere, 0.5 unknown                 0.07
recency         0.5 ** (days since the candidate's update / 365); 0.5 unknown              0.05
=============== ========================================================================= ======

The hand score is Σ weight × feature, in [0, 1] and shown ×100. Weights sum to 1 so that one feature
can move a score by at most its weight (one keyword must not swing 79 → 30). The re-ranker replaces
it once feedback labels exist (shortlisted = 1, contacted = 2, hired = 3).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from models.errors import ArtifactIncompatible, InvalidInput, NotFound

FEATURES = ("dense", "lexical", "taxonomy", "skill_coverage", "level_fit", "zone_fit", "recency")
DEFAULT_WEIGHTS: dict[str, float] = {
    "dense": 0.25,
    "lexical": 0.15,
    "taxonomy": 0.20,
    "skill_coverage": 0.20,
    "level_fit": 0.08,
    "zone_fit": 0.07,
    "recency": 0.05,
}
FEEDBACK_LABELS = {"shortlisted": 1, "contacted": 2, "hired": 3}
FORMAT = 1


class HandWeightedScorer:
    """``score = Σ w_f · feature_f`` with the documented ``DEFAULT_WEIGHTS`` (normalised to sum 1)."""

    def __init__(self, weights: Mapping[str, float] | None = None):
        self.weights = dict(weights or DEFAULT_WEIGHTS)
        unknown = set(self.weights) - set(FEATURES)
        if unknown:
            raise InvalidInput(
                f"unknown features {sorted(unknown)}; valid: {list(FEATURES)}", field="weights"
            )

    def _w(self) -> np.ndarray:
        w = np.array([self.weights.get(f, 0.0) for f in FEATURES], dtype=np.float64)
        return w / w.sum() if w.sum() > 0 else w

    def parts(self, features: np.ndarray) -> np.ndarray:
        """Per-feature contributions, shape (n, len(FEATURES)); rows sum to the score."""
        return np.asarray(features, dtype=np.float64) * self._w()

    def score(self, features: np.ndarray) -> np.ndarray:
        return self.parts(features).sum(axis=1)


def check_groups(group_ids: Sequence) -> np.ndarray:
    """Sizes of contiguous query groups; refuses a group that reappears later (LightGBM needs them
    contiguous and in order, LightGBM #2036)."""
    group_ids = list(group_ids)
    sizes: list[int] = []
    seen: set = set()
    previous = object()
    for g in group_ids:
        if g != previous:
            if g in seen:
                raise InvalidInput(f"group {g!r} is not contiguous: sort rows by group first", field="group")
            seen.add(g)
            sizes.append(0)
            previous = g
        sizes[-1] += 1
    return np.array(sizes, dtype=np.int32)


class LambdaRankReranker:
    """LightGBM LambdaRank over ``FEATURES``, trained from feedback grades 0–3; saved as model.txt + card.

    Clicks and shortlists carry position bias (LightGBM #2091); train on feedback gathered with a
    shuffled or hand-scored order, not on the re-ranker's own order.
    """

    def __init__(
        self,
        n_estimators: int = 200,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        min_child_samples: int = 5,
        seed: int = 0,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.seed = seed

    def get_params(self) -> dict:
        return {
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "seed": self.seed,
        }

    def fit(self, features: np.ndarray, labels: Sequence[int], group_ids: Sequence) -> LambdaRankReranker:
        import lightgbm as lgb

        features = np.asarray(features, dtype=np.float64)
        labels = np.asarray(labels, dtype=np.int32)
        if features.ndim != 2 or features.shape[1] != len(FEATURES):
            raise InvalidInput(
                f"features must have {len(FEATURES)} columns {list(FEATURES)}", field="features"
            )
        if len(labels) != len(features) or len(group_ids) != len(features):
            raise InvalidInput("features, labels and group_ids differ in length", field="labels")
        if labels.min(initial=0) < 0 or labels.max(initial=0) > max(FEEDBACK_LABELS.values()):
            raise InvalidInput(f"labels must be 0..3 ({FEEDBACK_LABELS})", field="labels")
        sizes = check_groups(group_ids)
        self.model_ = lgb.LGBMRanker(
            objective="lambdarank",
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            random_state=self.seed,
            n_jobs=1,
            verbose=-1,
        )
        self.model_.fit(features, labels, group=sizes, feature_name=list(FEATURES))
        return self

    def score(self, features: np.ndarray) -> np.ndarray:
        if not hasattr(self, "model_") and not hasattr(self, "booster_"):
            raise NotFound("the re-ranker is not fitted", field="reranker")
        booster = self.booster_ if hasattr(self, "booster_") else self.model_.booster_
        return booster.predict(np.asarray(features, dtype=np.float64))

    def save(self, directory: str | Path) -> None:
        import lightgbm as lgb

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        booster = self.booster_ if hasattr(self, "booster_") else self.model_.booster_
        booster.save_model(str(directory / "model.txt"))
        card = {
            "format": FORMAT,
            "features": list(FEATURES),
            "params": self.get_params(),
            "versions": {"lightgbm": lgb.__version__},
        }
        (directory / "card.json").write_text(json.dumps(card, indent=2))

    @classmethod
    def load(cls, directory: str | Path) -> LambdaRankReranker:
        import lightgbm as lgb

        directory = Path(directory)
        card = json.loads((directory / "card.json").read_text())
        if card.get("format") != FORMAT or card.get("features") != list(FEATURES):
            raise ArtifactIncompatible(
                f"re-ranker {directory} was trained on features {card.get('features')} (format "
                f"{card.get('format')}); this code uses {list(FEATURES)} (format {FORMAT})"
            )
        self = cls(**card["params"])
        self.booster_ = lgb.Booster(model_file=str(directory / "model.txt"))
        return self
