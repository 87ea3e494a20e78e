"""Ranking metrics (binary or graded relevance), as trec_eval and BEIR define them.

``ranked`` is a list of document ids, best first; ``relevant`` maps id → grade (> 0 is relevant).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at_k(ranked: Sequence, relevant: Mapping, k: int = 10) -> float:
    """nDCG@k with linear gains (BEIR's pytrec_eval ``ndcg_cut``)."""
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def average_precision(ranked: Sequence, relevant: Mapping, k: int | None = None) -> float:
    n_relevant = sum(1 for g in relevant.values() if g > 0)
    if n_relevant == 0:
        return 0.0
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:k] if k else ranked):
        if relevant.get(d, 0) > 0:
            hits += 1
            total += hits / (i + 1)
    return total / n_relevant


def recall_at_k(ranked: Sequence, relevant: Mapping, k: int) -> float:
    wanted = {d for d, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def reciprocal_rank(ranked: Sequence, relevant: Mapping, k: int | None = None) -> float:
    for i, d in enumerate(ranked[:k] if k else ranked):
        if relevant.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def summarise(runs: Mapping[str, Sequence], qrels: Mapping[str, Mapping]) -> dict[str, float]:
    """Mean nDCG@10, MAP (@1000 as BEIR), Recall@10/@100 and MRR over the queries that have qrels."""
    names = ("ndcg@10", "map", "recall@10", "recall@100", "mrr")
    totals = dict.fromkeys(names, 0.0)
    queries = [q for q in qrels if any(g > 0 for g in qrels[q].values())]
    for q in queries:
        ranked, rel = runs.get(q, []), qrels[q]
        totals["ndcg@10"] += ndcg_at_k(ranked, rel, 10)
        totals["map"] += average_precision(ranked, rel, 1000)
        totals["recall@10"] += recall_at_k(ranked, rel, 10)
        totals["recall@100"] += recall_at_k(ranked, rel, 100)
        totals["mrr"] += reciprocal_rank(ranked, rel)
    n = max(len(queries), 1)
    return {name: round(value / n, 6) for name, value in totals.items()} | {"queries": len(queries)}
