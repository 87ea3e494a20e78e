"""The features of one (query, pooled document) pair that the hand-weighted scorer and the re-ranker
read (``scoring.FEATURES``, in that order: dense, lexical, taxonomy overlap, skill coverage, level fit,
zone fit, recency), with the evidence each match's reasons show: the requirements met and missing,
and the occupation codes in common."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np

from models.matching.evidence import RequirementEvidence
from models.matching.filters import TALENT_LEVELS, Document
from models.matching.reasons import CodeInCommon, RequirementMet, coverage
from models.matching.scoring import FEATURES
from models.matching.taxonomy_channel import OccupationMatcher, overlap

# Requirements met, requirements missing, occupation codes in common (``code_in_common`` turns them into
# named reasons, for the documents shown only).
Evidence = tuple[list[RequirementMet], list[str], list[str]]


class PairFeatures:
    """``rows(...)`` → (feature matrix, evidence per document); ``forget(ids)`` after writes."""

    def __init__(self, matcher: OccupationMatcher | None, zone_districts: Mapping[str, str] | None = None):
        self.matcher = matcher
        self.zone_districts = dict(zone_districts or {})
        self.evidence = RequirementEvidence(matcher)

    def forget(self, ids) -> None:
        self.evidence.forget(ids)

    def rows(
        self,
        query: Document,
        to_candidates: bool,
        docs: Sequence[Document],
        dense: Sequence[float],
        lexical: Sequence[float],
        query_codes: Mapping[str, float],
        doc_codes: Sequence[Mapping[str, float]],
        today: date,
    ) -> tuple[np.ndarray, list[Evidence]]:
        """``dense``: cosine of each document to the query; ``lexical``: its BM25 score over the
        pool's best. To candidates, the query is the requirement; to opportunities, each document is."""
        # The query's side of the evidence once per search; each document's side once per index.
        if to_candidates:
            query_asks = self.evidence.asks(query)
        else:
            query_skills = self.evidence.skills(query)
        rows, evidence = [], []
        for doc, cosine, lex, d_codes in zip(docs, dense, lexical, doc_codes, strict=True):
            if to_candidates:
                requirement, candidate = query, doc
                met, missing = self.evidence.met(query_asks, doc, self.evidence.skills(doc, remember=True))
            else:
                requirement, candidate = doc, query
                met, missing = self.evidence.met(self.evidence.asks(doc, remember=True), query, query_skills)
            rows.append(
                [
                    max(0.0, cosine),
                    lex,
                    overlap(query_codes, d_codes),
                    coverage(met, missing),
                    level_fit(requirement.talent_level, candidate.talent_level),
                    self.zone_fit(requirement.zone, candidate.zone),
                    recency(candidate.updated, today),
                ]
            )
            evidence.append((met, missing, [c for c in query_codes if c in d_codes]))
        return np.array(rows, dtype=np.float64).reshape(len(docs), len(FEATURES)), evidence

    def code_in_common(self, code: str) -> CodeInCommon:
        o = self.matcher.occupations.get(code) if self.matcher else None
        return CodeInCommon(code, o.name_en if o else "", o.name_zh if o else "")

    def zone_fit(self, wanted: str | None, actual: str | None) -> float:
        if wanted is None or actual is None:
            return 0.5
        if wanted == actual:
            return 1.0
        district = self.zone_districts
        if district.get(wanted) and district.get(wanted) == district.get(actual):
            return 0.6
        return 0.3


def level_fit(wanted: str | None, actual: str | None) -> float:
    if wanted is None:
        return 1.0
    if actual is None:
        return 0.5
    gap = TALENT_LEVELS.index(actual) - TALENT_LEVELS.index(wanted)  # > 0: less senior than asked
    return 1.0 if gap <= 0 else max(0.0, 1.0 - gap / 3)


def recency(updated: date | None, today: date) -> float:
    if updated is None:
        return 0.5
    return float(0.5 ** (max((today - updated).days, 0) / 365))
