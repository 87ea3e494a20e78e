"""Evaluate each retrieval channel alone and fused on a BEIR-layout dataset.

If the dataset has ``qrels/validation.tsv``, the RRF channel weights are tuned there (grid search on
nDCG@10) and the test figures use the chosen weights; the test split is never seen by tuning.
Without a validation split, channels are fused with equal weights. Figures are also reported per
query language (``zh``: the query holds a Chinese character; ``en``: otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from models.matching.encoder import Encoder
from models.matching.filters import Document
from models.matching.fusion import rrf, tune_weights
from models.matching.metrics import ndcg_at_k, summarise
from models.matching.retriever import CHANNELS, HybridRetriever
from models.matching.taxonomy_channel import OccupationMatcher
from models.matching.text import language
from models.taxonomy import Taxonomy
from training.matching.beir import BeirDataset, load_beir

DEPTH = 100


def build_retriever(
    data: BeirDataset, encoder: Encoder, taxonomy: Taxonomy | None
) -> tuple[HybridRetriever, list[str]]:
    """Index the corpus as documents with ids 0..n-1; returns the retriever and the BEIR id of each."""
    matcher = None
    if taxonomy is not None:
        matcher = OccupationMatcher(taxonomy.occupations.values(), exclude=data.holdout_titles)
    retriever = HybridRetriever(encoder, matcher)
    beir_ids = [i for i, (title, text) in data.corpus.items() if (title + text).strip()]
    docs = [
        Document(
            id=n,
            kind="profile",
            title=data.corpus[i][0],
            text=data.corpus[i][1] or data.corpus[i][0],
            consent=frozenset({"matching"}),
        )
        for n, i in enumerate(beir_ids)
    ]
    for start in range(0, len(docs), 2048):
        retriever.upsert(docs[start : start + 2048])
    return retriever, beir_ids


def channel_runs(retriever: HybridRetriever, beir_ids: list[str], queries: Mapping[str, str]) -> dict:
    """query id → channel → ranked BEIR doc ids (top ``DEPTH``)."""
    ids = list(queries)
    vectors = retriever.encoder.encode([queries[q] for q in ids]) if ids else np.zeros((0, 1))
    out = {}
    for q, vector in zip(ids, vectors, strict=True):
        hits = retriever.channel_hits(queries[q], DEPTH, query_vector=vector)
        out[q] = {c: [beir_ids[i] for i in h.ids.tolist()] for c, h in hits.items()}
    return out


def _fuse(runs: dict, weights: Mapping[str, float]) -> dict[str, list[str]]:
    return {q: [d for d, _ in rrf(per, weights)[:DEPTH]] for q, per in runs.items()}


def _report(runs: dict, qrels: Mapping, weights: Mapping[str, float], channels: list[str]) -> dict:
    report = {c: summarise({q: runs[q].get(c, []) for q in runs}, qrels) for c in channels}
    report["fused"] = summarise(_fuse(runs, weights), qrels)
    return report


def evaluate(dataset: str | Path, encoder: Encoder, taxonomy: Taxonomy | None, *, tune: bool = True) -> dict:
    started = time.perf_counter()
    data = load_beir(dataset)
    retriever, beir_ids = build_retriever(data, encoder, taxonomy)
    channels = [c for c in CHANNELS if c != "taxonomy" or retriever.matcher is not None]
    weights: dict[str, float] = dict.fromkeys(channels, 1.0)
    tuned = None
    if tune and "validation" in data.qrels:
        val_q = {q: data.queries[q] for q in data.qrels["validation"] if q in data.queries}
        val_runs = channel_runs(retriever, beir_ids, val_q)

        def objective(w: Mapping[str, float]) -> float:
            fused = _fuse(val_runs, w)
            qrels = data.qrels["validation"]
            return float(np.mean([ndcg_at_k(fused[q], qrels[q]) for q in val_runs])) if val_runs else 0.0

        weights, value = tune_weights(channels, objective)
        tuned = {"split": "validation", "queries": len(val_q), "ndcg@10": round(value, 6)}
    test_qrels = data.qrels["test"]
    test_q = {q: data.queries[q] for q in test_qrels if q in data.queries}
    runs = channel_runs(retriever, beir_ids, test_q)
    report = {
        "channels": _report(runs, test_qrels, weights, channels),
        "by_language": {},
        "weights": dict(weights),
        "tuning": tuned,
        "dataset": str(dataset),
        "split": "test",
        "documents": len(beir_ids),
        "model_id": encoder.model_id_,
        "taxonomy": None
        if taxonomy is None
        else {"occupations": len(taxonomy.occupations), "held_out_titles": len(data.holdout_titles)},
    }
    for lang in ("zh", "en"):
        subset = {q: r for q, r in runs.items() if language(test_q[q]) == lang}
        if subset:
            report["by_language"][lang] = {
                "queries": len(subset),
                "channels": _report(subset, {q: test_qrels[q] for q in subset}, weights, channels),
            }
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report
