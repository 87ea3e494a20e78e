"""`talentcluster match train-ranker`: fit the LambdaRank re-ranker on recruiters' feedback.

One query group per project with feedback: the candidates labelled on it (grade: shortlisted 1,
contacted 2, hired 3, rejected 0 — the best label a candidate got) plus the next unlabelled candidates
the index proposes for it (grade 0), each with the ``FEATURES`` the search computes. With too little
feedback (fewer than ``min_projects`` projects with a positive label, or fewer than ``min_labels``
labels) nothing is trained and the hand-weighted scorer stays.

The re-ranker is published with the index it was computed on: a new version that hard-links the
current version's files and adds ``reranker/`` (the serving version is never modified), so the serving
workers pick it up like any rebuild.

Position bias (LightGBM #2091): ``rank_shown`` is stored with every label, but the labels are used as
they are; the card records how many labels came from the top 3 positions so a skew is visible.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from models.errors import NotFound
from models.matching.documents import project_document
from models.matching.filters import Filters
from models.matching.index_store import RERANKER, MatchingIndex, current_version, link_copy, publish
from models.matching.metrics import summarise
from models.matching.retriever import Direction
from models.matching.scoring import FEATURES, HandWeightedScorer, LambdaRankReranker
from models.storage.orm import Enterprise, MatchFeedback, Project
from models.talent import matching_scopes
from models.taxonomy import Taxonomy

GRADES = {"rejected": 0, "shortlisted": 1, "contacted": 2, "hired": 3}


@dataclass
class RankerReport:
    trained: bool
    reason: str
    projects: int
    labels: int
    version: str | None = None
    metrics: dict | None = None


def _groups(session: Session) -> dict[int, dict[int, int]]:
    """project id → profile id → best grade."""
    out: dict[int, dict[int, int]] = {}
    for project_id, profile_id, label in session.execute(
        select(MatchFeedback.project_id, MatchFeedback.profile_id, MatchFeedback.label)
    ):
        grades = out.setdefault(project_id, {})
        grades[profile_id] = max(grades.get(profile_id, 0), GRADES.get(label, 0))
    return out


def _ndcg(scores: np.ndarray, labels: np.ndarray, groups: list[tuple[int, int]]) -> float:
    runs, qrels = {}, {}
    for g, (start, stop) in enumerate(groups):
        order = np.argsort(-scores[start:stop], kind="stable")
        runs[str(g)] = [str(i) for i in order]
        qrels[str(g)] = {str(i): int(labels[start + i]) for i in range(stop - start)}
    return float(summarise(runs, qrels)["ndcg@10"])


def train_ranker(
    factory: sessionmaker[Session],
    taxonomy: Taxonomy,
    load_index,
    index_dir: str | Path,
    *,
    min_projects: int = 10,
    min_labels: int = 50,
    negatives: int = 20,
) -> RankerReport:
    """Train on the feedback in the database against the current index; see the module docstring."""
    index_dir = Path(index_dir)
    name = current_version(index_dir)
    if name is None:
        raise NotFound("no matching index: run `talentcluster match build-index` first", field="index")
    index: MatchingIndex = load_index(index_dir / name)
    industry = {code: s.industry_code for code, s in taxonomy.segments.items()}
    features, labels, bounds = [], [], []
    top3 = 0
    with factory() as session:
        groups = _groups(session)
        positive = {p: g for p, g in groups.items() if max(g.values()) > 0}
        n_labels = sum(len(g) for g in groups.values())
        if len(positive) < min_projects or n_labels < min_labels:
            return RankerReport(
                False,
                f"not enough feedback ({len(positive)} projects with a positive label, need {min_projects}; "
                f"{n_labels} labels, need {min_labels}): the hand-weighted scorer stays",
                len(positive),
                n_labels,
            )
        top3 = session.scalar(
            select(func.count()).select_from(MatchFeedback).where(MatchFeedback.rank_shown <= 3)
        )
        for project_id in sorted(positive):
            project = session.get(Project, project_id)
            enterprise = session.get(Enterprise, project.enterprise_id) if project else None
            if project is None or enterprise is None:
                continue
            query = replace(project_document(project, industry), id=-1)
            filters = Filters(consent_any=matching_scopes(enterprise.code, project.kind))
            graded = positive[project_id]
            shown = index.candidates.search(query, Direction.PROJECT_TO_CANDIDATES, 100, filters)
            extra = [m.id for m in shown if m.id not in graded][:negatives]
            ids = list(graded) + extra
            rows = index.candidates.feature_matrix(query, Direction.PROJECT_TO_CANDIDATES, ids, filters)
            keep = ~np.isnan(rows).any(axis=1)
            if keep.sum() < 2:
                continue
            start = sum(len(f) for f in features)
            features.append(rows[keep])
            labels.append(np.array([graded.get(i, 0) for i in ids])[keep])
            bounds.append((start, start + int(keep.sum())))
    x = np.concatenate(features)
    y = np.concatenate(labels)
    group_ids = np.concatenate([np.full(stop - start, g) for g, (start, stop) in enumerate(bounds)])
    cut = max(1, int(round(len(bounds) * 0.8)))
    train_rows = bounds[cut - 1][1] if cut < len(bounds) else len(x)
    held_out = bounds[cut:]
    ranker = LambdaRankReranker().fit(x[:train_rows], y[:train_rows], group_ids[:train_rows])
    metrics = {"groups": len(bounds), "rows": len(x), "held_out_groups": len(held_out)}
    if held_out:
        offset = held_out[0][0]
        local = [(a - offset, b - offset) for a, b in held_out]
        metrics["held_out_ndcg@10"] = {
            "hand_weighted": round(_ndcg(HandWeightedScorer().score(x[offset:]), y[offset:], local), 4),
            "lambdarank": round(_ndcg(ranker.score(x[offset:]), y[offset:], local), 4),
        }
    if len(held_out):  # refit on everything for serving
        ranker = LambdaRankReranker().fit(x, y, group_ids)

    def write(tmp: Path) -> dict:
        link_copy(index.path, tmp)
        (tmp / "card.json").unlink(missing_ok=True)
        ranker.save(tmp / RERANKER)
        card = {k: v for k, v in index.card.items() if k not in ("format", "version")}
        card["reranker"] = {
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "features": list(FEATURES),
            "labels": int(len(y)),
            "positive_labels": int((y > 0).sum()),
            "labels_shown_in_top3": top3,
            "metrics": metrics,
        }
        card["derived_from"] = index.version
        return card

    path = publish(index_dir, write)
    return RankerReport(True, "trained", len(bounds), int(len(y)), path.name, metrics)
