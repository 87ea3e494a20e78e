"""Reciprocal rank fusion with per-channel weights, and a grid search for them on validation data only.

Raw BM25 and cosine scores are not comparable across channels (PITFALLS), so channels are fused by
rank: ``score(d) = Σ_c w_c / (k + rank_c(d))`` with ranks from 1. Ties are broken by the best single
rank, then by id, so the fused order is deterministic.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from models.errors import InvalidInput

RRF_K = 60


def rrf(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float] | None = None, k: int = RRF_K
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


class FusionWeights(dict):
    """Channel → weight, saved as JSON with the validation score that chose it."""

    def save(self, path: str | Path, **provenance) -> None:
        Path(path).write_text(json.dumps({"weights": dict(self), "rrf_k": RRF_K, **provenance}, indent=2))

    @classmethod
    def load(cls, path: str | Path) -> FusionWeights:
        data = json.loads(Path(path).read_text())
        return cls(data["weights"])


def tune_weights(
    channels: Sequence[str],
    objective: Callable[[Mapping[str, float]], float],
    grid: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0),
) -> tuple[FusionWeights, float]:
    """Exhaustive search over per-channel weights maximising ``objective`` (e.g. validation nDCG@10).

    The first channel's weight is fixed at 1 (RRF is scale-free), so the grid has |grid|^(c-1) points.
    Call it with validation queries only; the caller reports test figures with the chosen weights.
    """
    if not channels:
        raise InvalidInput("no channels to tune", field="channels")
    best: tuple[FusionWeights, float] | None = None
    for combo in itertools.product(grid, repeat=len(channels) - 1):
        weights = FusionWeights({channels[0]: 1.0, **dict(zip(channels[1:], combo, strict=True))})
        value = objective(weights)
        if best is None or value > best[1] + 1e-12:
            best = (weights, value)
    assert best is not None
    return best
