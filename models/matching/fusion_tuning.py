"""Fitting fusion rules on validation queries: a vectorised grid search over method, RRF ``k`` and channel
weights, per query language.

Each query's candidates (the union of its channels' top lists) become one row of padded arrays, so one
grid point costs a matrix product and a sort instead of a Python loop over queries; ~1,000 grid points
on ~1,500 queries take seconds. The order (score, then best weighted rank, then id) is the one
``fusion.rrf``/``fusion.score_fusion`` produce, so the tuned value is the value the rule gets.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import numpy as np

from models.errors import InvalidInput
from models.matching.fusion import RRF_K, Fusion, FusionRule, Scored
from models.matching.text import language

WEIGHT_GRID = (0.0, 0.1, 0.2, 0.35, 0.5, 0.7, 1.0)
K_GRID = (5, 10, 20, 40, 60, 100)
MIN_QUERIES_PER_LANGUAGE = 30


class _Batch:
    """Validation queries as padded arrays, one Q × U array per channel: ranks, clipped scores."""

    def __init__(self, runs: Sequence[Scored], qrels: Sequence[Mapping], channels: Sequence[str]):
        n, c = len(runs), len(channels)
        unions = [sorted({d for ch in channels for d in run.get(ch, ((), ()))[0]}) for run in runs]
        u = max((len(x) for x in unions), default=0) or 1
        self.ranks = np.full((c, n, u), np.inf)
        self.values = np.zeros((c, n, u))
        self.tops = np.ones((c, n, 1))
        self.gains = np.zeros((n, u))
        self.present = np.zeros((n, u), dtype=bool)
        self.idcg = np.zeros(n)
        for q, (run, rel, ids) in enumerate(zip(runs, qrels, unions, strict=True)):
            col = {d: i for i, d in enumerate(ids)}  # sorted ids: the column order is the id tie-break
            self.present[q, : len(ids)] = True
            self.gains[q, : len(ids)] = [rel.get(d, 0) for d in ids]
            ideal = sorted((g for g in rel.values() if g > 0), reverse=True)[:10]
            self.idcg[q] = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
            for j, ch in enumerate(channels):
                ranked, values = run.get(ch, ((), ()))
                if len(ranked) == 0:
                    continue
                self.tops[j, q, 0] = max(float(max(values)), 1e-12)
                for r, (d, v) in enumerate(zip(ranked, values, strict=True), start=1):
                    self.ranks[j, q, col[d]] = r
                    self.values[j, q, col[d]] = max(float(v), 0.0)
        self.finite = np.isfinite(self.ranks)
        self.discount = 1.0 / np.log2(np.arange(2, 12))

    def per_query(self, rule: FusionRule, channels: Sequence[str]) -> np.ndarray:
        """nDCG@10 of the rule for every query (0 where a query has no relevant document).

        Sums run channel by channel with the same operations as ``fusion.rrf``/``score_fusion``, so the
        floating-point scores, and hence the ties, are the same.
        """
        score = np.zeros(self.gains.shape)
        best = np.full(self.gains.shape, np.inf)
        active = np.zeros(self.gains.shape, dtype=bool)
        for j, ch in enumerate(channels):
            w = float(rule.weights.get(ch, 0.0))
            if w <= 0:
                continue
            if rule.method == "rrf":
                part = w / (rule.k + self.ranks[j])
            else:
                part = w * self.values[j] / self.tops[j]
            score += np.where(self.finite[j], part, 0.0)
            best = np.minimum(best, self.ranks[j])
            active |= self.finite[j]
        score = np.where(active, score, -np.inf)
        order = self._top10(score, best)
        top = np.take_along_axis(np.where(active, self.gains, 0.0), order, axis=1)
        dcg = (top * self.discount[: top.shape[1]]).sum(axis=1)
        return np.divide(dcg, self.idcg, out=np.zeros_like(dcg), where=self.idcg > 0)

    @staticmethod
    def _top10(score: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Columns of the 10 best per row by (score desc, best rank, column), as ``fusion.rrf`` orders.

        Sorting only the top ``m`` by score is exact unless more than ``m`` columns tie with the 10th;
        such rows are sorted in full.
        """
        n, u = score.shape
        m = min(u, 32)
        column = np.broadcast_to(np.arange(u), score.shape)
        if m < u:
            part = np.argpartition(-score, m - 1, axis=1)[:, :m]
        else:
            part = np.ascontiguousarray(column)
        s, b = np.take_along_axis(score, part, axis=1), np.take_along_axis(best, part, axis=1)
        local = np.lexsort((part, b, -s), axis=-1)[:, :10]
        order = np.take_along_axis(part, local, axis=1)
        if m < u:
            tenth = np.take_along_axis(score, order[:, -1:], axis=1)
            crowded = np.flatnonzero((score >= tenth).sum(axis=1) > m)
            if len(crowded):
                full = np.lexsort((column[crowded], best[crowded], -score[crowded]), axis=-1)[:, :10]
                order[crowded] = full
        return order


def candidate_rules(
    channels: Sequence[str],
    weight_grid: Sequence[float] = WEIGHT_GRID,
    k_grid: Sequence[float] = K_GRID,
    methods: Sequence[str] = ("rrf", "score"),
) -> list[FusionRule]:
    """Every rule of the grid, weights scaled so the largest is 1 (fusion is scale-free)."""
    rules = []
    for combo in itertools.product(weight_grid, repeat=len(channels)):
        if max(combo) != max(weight_grid):
            continue
        weights = dict(zip(channels, combo, strict=True))
        for method in methods:
            for k in k_grid if method == "rrf" else (RRF_K,):
                rules.append(FusionRule(weights, method, k))
    return rules


def best_rule(
    runs: Sequence[Scored], qrels: Sequence[Mapping], channels: Sequence[str], rules: Sequence[FusionRule]
) -> tuple[FusionRule, float]:
    """The rule with the highest mean nDCG@10 over the queries with a relevant document."""
    batch = _Batch(runs, qrels, channels)
    scores = np.array([batch.per_query(rule, channels) for rule in rules])
    return _pick(rules, scores, batch.idcg > 0)


def _pick(rules: Sequence[FusionRule], scores: np.ndarray, rows: np.ndarray) -> tuple[FusionRule, float]:
    """The first rule (grid order) whose mean over ``rows`` is within 1e-9 of the best."""
    if not rows.any():
        return rules[0], 0.0
    means = scores[:, rows].mean(axis=1)
    i = int(np.flatnonzero(means >= means.max() - 1e-9)[0])
    return rules[i], float(means[i])


def tune_fusion(
    runs: Mapping[str, Scored],
    qrels: Mapping[str, Mapping],
    texts: Mapping[str, str],
    channels: Sequence[str],
    *,
    per_language: bool = True,
    rules: Sequence[FusionRule] | None = None,
    min_queries: int = MIN_QUERIES_PER_LANGUAGE,
) -> tuple[Fusion, dict]:
    """Fit a ``Fusion`` on validation queries (``runs``: query id → channel → (ids, scores)).

    The default rule is fitted on all queries; with ``per_language``, each language with at least
    ``min_queries`` validation queries (with a relevant document) gets its own rule. Returns the fusion
    and the validation nDCG@10 of each fitted rule. Never pass test queries here.
    """
    if not channels:
        raise InvalidInput("no channels to tune", field="channels")
    rules = list(rules or candidate_rules(channels))
    ids = [q for q in runs if q in qrels]
    batch = _Batch([runs[q] for q in ids], [qrels[q] for q in ids], channels)
    scores = np.array([batch.per_query(rule, channels) for rule in rules])
    judged = batch.idcg > 0
    default, value = _pick(rules, scores, judged)
    report: dict = {"default": {"queries": int(judged.sum()), "ndcg@10": round(value, 6)}}
    by_language: dict[str, FusionRule] = {}
    if per_language:
        langs = np.array([language(texts[q]) for q in ids])
        for lang in ("zh", "en"):
            rows = judged & (langs == lang)
            if rows.sum() < min_queries:
                continue
            rule, value = _pick(rules, scores, rows)
            by_language[lang] = rule
            report[lang] = {"queries": int(rows.sum()), "ndcg@10": round(value, 6)}
    return Fusion(default, by_language), report
