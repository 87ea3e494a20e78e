"""Fusing the retrieval channels, with a rule per query language, and the fitted rules' persistence.

Raw BM25 and cosine scores are not comparable across channels (PITFALLS), so a rule fuses either by
rank, ``rrf``: ``score(d) = Σ_c w_c / (k + rank_c(d))`` with ranks from 1, or by max-normalised score,
``score``: ``score(d) = Σ_c w_c · s_c(d) / max_d' s_c(d')`` (a channel's best hit counts 1, an absent
document 0). Ties are broken by the best single rank among the weighted channels, then by id, so the
fused order is deterministic.

Which channels deserve trust depends on the query's language: the default encoder knows no Chinese,
so a Chinese query needs the lexical and taxonomy channels and little of the dense one. A ``Fusion``
therefore holds one ``FusionRule`` per language (``zh`` when the query holds a Chinese character,
else ``en``) and a default; ``fusion_tuning.tune_fusion`` fits them on validation queries only.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import ArtifactIncompatible, InvalidInput
from models.matching.text import language

RRF_K = 60
METHODS = ("rrf", "score")
FORMAT = 1

# channel → (ids best first, scores); numpy arrays or lists
Scored = Mapping[str, tuple[Sequence, Sequence]]


def rrf(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float] | None = None, k: float = RRF_K
) -> list[tuple[int, float]]:
    """Fuse ranked id lists (best first) into one ``[(id, score)]`` list, best first."""
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for channel, ranked in rankings.items():
        w = 1.0 if weights is None else float(weights.get(channel, 0.0))
        if w <= 0:
            continue
        for rank, doc in enumerate(ranked, start=1):
            scores[doc] = scores.get(doc, 0.0) + w / (k + rank)
            best_rank[doc] = min(best_rank.get(doc, rank), rank)
    return sorted(scores.items(), key=lambda item: (-item[1], best_rank[item[0]], item[0]))


def score_fusion(scored: Scored, weights: Mapping[str, float]) -> list[tuple[int, float]]:
    """Weighted sum of max-normalised channel scores (non-positive scores count 0), best first."""
    scores: dict[int, float] = {}
    best_rank: dict[int, int] = {}
    for channel, (ids, values) in scored.items():
        w = float(weights.get(channel, 0.0))
        if w <= 0 or len(ids) == 0:
            continue
        top = max(float(max(values)), 1e-12)
        for rank, (doc, value) in enumerate(zip(ids, values, strict=True), start=1):
            scores[doc] = scores.get(doc, 0.0) + w * max(float(value), 0.0) / top
            best_rank[doc] = min(best_rank.get(doc, rank), rank)
    return sorted(scores.items(), key=lambda item: (-item[1], best_rank[item[0]], item[0]))


@dataclass(frozen=True)
class FusionRule:
    """How to fuse one query's channels: method (``rrf`` | ``score``), channel weights, RRF's ``k``."""

    weights: Mapping[str, float]
    method: str = "rrf"
    k: float = RRF_K

    def __post_init__(self):
        if self.method not in METHODS:
            raise InvalidInput(f"fusion method {self.method!r} is not one of {list(METHODS)}", field="method")
        if any(w < 0 for w in self.weights.values()) or not any(w > 0 for w in self.weights.values()):
            raise InvalidInput("fusion weights must be ≥ 0 with at least one > 0", field="weights")

    def fuse(self, scored: Scored) -> list[tuple[int, float]]:
        if self.method == "rrf":
            return rrf({c: list(ids) for c, (ids, _) in scored.items()}, self.weights, self.k)
        return score_fusion(scored, self.weights)

    def to_json(self) -> dict:
        return {"method": self.method, "k": self.k, "weights": dict(self.weights)}

    @classmethod
    def from_json(cls, data: Mapping) -> FusionRule:
        return cls(dict(data["weights"]), data.get("method", "rrf"), data.get("k", RRF_K))


@dataclass(frozen=True)
class Fusion:
    """A default rule and optional rules per query language (``zh`` / ``en``, by script)."""

    default: FusionRule
    by_language: Mapping[str, FusionRule] = field(default_factory=dict)

    @classmethod
    def equal(cls, channels: Sequence[str]) -> Fusion:
        return cls(FusionRule(dict.fromkeys(channels, 1.0)))

    def rule_for(self, text: str) -> FusionRule:
        return self.by_language.get(language(text), self.default)

    def fuse(self, scored: Scored, text: str) -> list[tuple[int, float]]:
        """Fused ``[(id, score)]`` for a query, with the rule of the query's language."""
        return self.rule_for(text).fuse(scored)

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "default": self.default.to_json(),
            "by_language": {lang: rule.to_json() for lang, rule in sorted(self.by_language.items())},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Fusion:
        if "default" not in data and "weights" in data:  # a bare channel → weight map (format 0)
            return cls(FusionRule(dict(data["weights"])))
        if data.get("format") != FORMAT:
            raise ArtifactIncompatible(f"fusion rules are format {data.get('format')}, expected {FORMAT}")
        return cls(
            FusionRule.from_json(data["default"]),
            {lang: FusionRule.from_json(r) for lang, r in data.get("by_language", {}).items()},
        )

    def save(self, path: str | Path, **provenance) -> None:
        """JSON with the rules and whatever provenance the caller adds (split, validation score)."""
        Path(path).write_text(json.dumps(self.to_json() | provenance, indent=2, ensure_ascii=False))

    @classmethod
    def load(cls, path: str | Path) -> Fusion:
        return cls.from_json(json.loads(Path(path).read_text()))


def tune_weights(
    channels: Sequence[str],
    objective: Callable[[Mapping[str, float]], float],
    grid: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0),
) -> tuple[dict[str, float], float]:
    """Exhaustive search over per-channel weights maximising ``objective`` (e.g. validation nDCG@10).

    The first channel's weight is fixed at 1 (fusion is scale-free), so the grid has |grid|^(c-1) points.
    For whole rules per language, vectorised, use ``fusion_tuning.tune_fusion``.
    """
    if not channels:
        raise InvalidInput("no channels to tune", field="channels")
    best: tuple[dict[str, float], float] | None = None
    for combo in itertools.product(grid, repeat=len(channels) - 1):
        weights = {channels[0]: 1.0, **dict(zip(channels[1:], combo, strict=True))}
        value = objective(weights)
        if best is None or value > best[1] + 1e-12:
            best = (weights, value)
    assert best is not None
    return best
