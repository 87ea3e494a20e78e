"""Evaluate each retrieval channel alone and fused on a BEIR-layout dataset.

If the dataset has ``qrels/validation.tsv``, the fusion rules (method, RRF ``k``, channel weights; one
rule per query language) are fitted there by grid search on nDCG@10, and the test figures use them;
the test split is never seen by tuning. Without a validation split, channels are fused by RRF with
equal weights. Figures are also reported per query language (``zh``: the query holds a Chinese
character; ``en``: otherwise).

Alias sets name the titles their queries come from (``taxonomy_holdout.json``). By default each
query is looked up in the taxonomy without its own title (leave-one-out: the other aliases of its
occupation stay, as they would for a new alias in production); ``holdout="all"`` removes every
held-out title for every query, the stricter protocol.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from pathlib import Path

import numpy as np

from models.errors import InvalidInput
from models.matching.encoder import Encoder
from models.matching.filters import Document
from models.matching.fusion import Fusion
from models.matching.fusion_tuning import tune_fusion
from models.matching.metrics import summarise
from models.matching.retriever import CHANNELS, HybridRetriever
from models.matching.taxonomy_channel import OccupationMatcher
from models.matching.text import language
from models.talent import CONSENT_MATCHING
from models.taxonomy import Taxonomy
from training.matching.beir import BeirDataset, load_beir

DEPTH = 100


HOLDOUTS = ("query", "all")


def build_retriever(
    data: BeirDataset,
    encoder: Encoder,
    taxonomy: Taxonomy | None,
    holdout: str = "query",
    translate_queries: bool = True,
) -> tuple[HybridRetriever, list[str]]:
    """Index the corpus as documents with ids 0..n-1; returns the retriever and the BEIR id of each.

    ``holdout="all"`` removes every held-out title from the taxonomy for good; ``"query"`` keeps the
    taxonomy whole and hides each query's own title while that query is looked up (``channel_runs``).
    """
    if holdout not in HOLDOUTS:
        raise InvalidInput(f"holdout {holdout!r} is not one of {list(HOLDOUTS)}", field="holdout")
    matcher = None
    if taxonomy is not None:
        exclude = data.holdout_titles if holdout == "all" else ()
        matcher = OccupationMatcher(taxonomy.occupations.values(), exclude=exclude)
    retriever = HybridRetriever(encoder, matcher, translate_queries=translate_queries)
    beir_ids = [i for i, (title, text) in data.corpus.items() if (title + text).strip()]
    docs = [
        Document(
            id=n,
            kind="profile",
            title=data.corpus[i][0],
            text=data.corpus[i][1] or data.corpus[i][0],
            consent=frozenset({CONSENT_MATCHING}),
        )
        for n, i in enumerate(beir_ids)
    ]
    for start in range(0, len(docs), 2048):
        retriever.upsert(docs[start : start + 2048])
    return retriever, beir_ids


def channel_runs(
    retriever: HybridRetriever,
    beir_ids: list[str],
    queries: Mapping[str, str],
    hidden: Collection[str] = (),
) -> dict[str, dict[str, tuple[list[str], list[float]]]]:
    """query id → channel → (BEIR doc ids, scores), top ``DEPTH``; a query whose text is in ``hidden``
    is looked up in the taxonomy without its own title (leave-one-out)."""
    ids = list(queries)
    vectors = retriever.encoder.encode([queries[q] for q in ids]) if ids else np.zeros((0, 1))
    hidden = set(hidden)
    out = {}
    for q, vector in zip(ids, vectors, strict=True):
        text = queries[q]
        exclude = [text] if text in hidden else []
        codes = retriever.matcher.query_codes(text, exclude) if retriever.matcher is not None else None
        hits = retriever.channel_hits(
            text,
            DEPTH,
            query_vector=vector,
            query_codes=codes,
            query_tokens=retriever.query_tokens(text, exclude),
        )
        out[q] = {c: ([beir_ids[i] for i in h.ids.tolist()], h.scores.tolist()) for c, h in hits.items()}
    return out


def _fuse(runs: dict, fusion: Fusion, texts: Mapping[str, str]) -> dict[str, list[str]]:
    return {q: [d for d, _ in fusion.fuse(per, texts[q])[:DEPTH]] for q, per in runs.items()}


def _report(runs: dict, qrels: Mapping, fusion: Fusion, texts: Mapping[str, str], channels: list[str]):
    report = {c: summarise({q: runs[q].get(c, ([], []))[0] for q in runs}, qrels) for c in channels}
    report["fused"] = summarise(_fuse(runs, fusion, texts), qrels)
    return report


def evaluate(
    dataset: str | Path,
    encoder: Encoder,
    taxonomy: Taxonomy | None,
    *,
    tune: bool = True,
    per_language: bool = True,
    holdout: str = "query",
    translate_queries: bool = True,
    fusion_out: str | Path | None = None,
) -> dict:
    """Per-channel and fused figures on the test split; fusion fitted on the validation split only."""
    started = time.perf_counter()
    data = load_beir(dataset)
    retriever, beir_ids = build_retriever(data, encoder, taxonomy, holdout, translate_queries)
    hidden = set(data.holdout_titles) if holdout == "query" else set()
    channels = [c for c in CHANNELS if c != "taxonomy" or retriever.matcher is not None]
    fusion = Fusion.equal(channels)
    tuned = None
    if tune and "validation" in data.qrels:
        val_qrels = data.qrels["validation"]
        val_q = {q: data.queries[q] for q in val_qrels if q in data.queries}
        val_runs = channel_runs(retriever, beir_ids, val_q, hidden)
        fusion, scores = tune_fusion(val_runs, val_qrels, val_q, channels, per_language=per_language)
        tuned = {"split": "validation", "queries": len(val_q), "ndcg@10": scores["default"]["ndcg@10"]}
        tuned["by_language"] = {k: v for k, v in scores.items() if k != "default"}
        tuned["validation_channels"] = _report(val_runs, val_qrels, fusion, val_q, channels)
    retriever.fusion = fusion
    if fusion_out is not None:
        fusion.save(fusion_out, tuning=tuned, dataset=str(dataset))
    test_qrels = data.qrels["test"]
    test_q = {q: data.queries[q] for q in test_qrels if q in data.queries}
    runs = channel_runs(retriever, beir_ids, test_q, hidden)
    report = {
        "channels": _report(runs, test_qrels, fusion, test_q, channels),
        "by_language": {},
        "fusion": fusion.to_json(),
        "weights": dict(fusion.default.weights),
        "tuning": tuned,
        "dataset": str(dataset),
        "split": "test",
        "documents": len(beir_ids),
        "model_id": encoder.model_id_,
        "translate_queries": retriever.translate_queries and retriever.matcher is not None,
        "taxonomy": None
        if taxonomy is None
        else {
            "occupations": len(taxonomy.occupations),
            "held_out_titles": len(data.holdout_titles),
            "holdout": holdout,
        },
    }
    for lang in ("zh", "en"):
        subset = {q: r for q, r in runs.items() if language(test_q[q]) == lang}
        if subset:
            report["by_language"][lang] = {
                "queries": len(subset),
                "channels": _report(subset, {q: test_qrels[q] for q in subset}, fusion, test_q, channels),
            }
    report["seconds"] = round(time.perf_counter() - started, 2)
    return report
