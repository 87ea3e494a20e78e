"""The hybrid retriever: dense (FAISS) + lexical (BM25) + taxonomy codes, fused by RRF, then scored
and explained. Three directions: project → candidates, catalogue entry → candidates, and profile →
projects and catalogue entries.

Writes (``upsert``/``delete``) go to the vector indexes at once; the lexical and taxonomy structures
are rebuilt from cached tokens and codes on the next query, so every write is visible to the next
query. Candidates (profiles) are only ever returned with a consent scope that admits the search: by
default ``pool:matching``; a caller passes ``Filters.consent_any`` (``models.talent.matching_scopes``)
to admit also ``tenant:<code>`` or ``kind:<project kind>``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from pathlib import Path

import numpy as np

from models.errors import ArtifactIncompatible, InvalidInput
from models.matching.encoder import Encoder
from models.matching.evidence import indexed_text
from models.matching.features import PairFeatures
from models.matching.filters import (
    MAX_TEXT_CHARS,
    MAX_TOP_K,
    Document,
    FieldTable,
    Filters,
)
from models.matching.fusion import Fusion, FusionRule
from models.matching.lexical import BM25
from models.matching.reasons import Reasons
from models.matching.scoring import FEATURES, HandWeightedScorer, LambdaRankReranker
from models.matching.taxonomy_channel import CodeIndex, OccupationMatcher, SkillMatch
from models.matching.text import tokens as tokenize
from models.matching.vector_index import Hits, VectorIndex
from models.talent import CONSENT_MATCHING

FORMAT = 1
CHANNELS = ("dense", "lexical", "taxonomy")
WARM_UP_QUERY = "软件工程师 software engineer"


class Direction(StrEnum):
    PROJECT_TO_CANDIDATES = "project_to_candidates"
    CATALOGUE_TO_CANDIDATES = "catalogue_to_candidates"
    PROFILE_TO_OPPORTUNITIES = "profile_to_opportunities"


TARGETS = {
    Direction.PROJECT_TO_CANDIDATES: frozenset({"profile"}),
    Direction.CATALOGUE_TO_CANDIDATES: frozenset({"profile"}),
    Direction.PROFILE_TO_OPPORTUNITIES: frozenset({"project", "catalogue_entry"}),
}
CANDIDATE_CONSENT = frozenset({CONSENT_MATCHING})


@dataclass(frozen=True)
class Match:
    id: int
    kind: str
    rank: int
    score: float  # hand-weighted score ×100, stable and explainable
    reasons: Reasons
    rerank_score: float | None = None


@dataclass
class _Snapshot:
    """The lexical, taxonomy and filter structures over the documents at one moment. A deletion
    marks its rows ``removed`` instead of rebuilding them (seconds at 100k documents)."""

    ids: np.ndarray
    row_of: dict[int, int]
    table: FieldTable
    bm25: BM25
    codes: CodeIndex
    removed: np.ndarray

    def alive(self, mask: np.ndarray | None) -> np.ndarray | None:
        """``mask`` without the removed rows (None, all rows, while nothing was removed)."""
        if not self.removed.any():
            return mask
        return ~self.removed if mask is None else mask & ~self.removed


class HybridRetriever:
    """See the module docstring. ``fusion`` holds the fusion rule per query language (fit it on
    validation only, ``fusion_tuning.tune_fusion``); ``weights`` is the shorthand for one RRF rule with
    those channel weights. ``zone_districts`` maps a zone to its district for zone fit. ``code_cache``
    (``codes_key`` → codes, e.g. a previous build's ``known_codes()`` made with the same taxonomy)
    spares the taxonomy matcher, the slow part of indexing after embedding, for unchanged documents."""

    def __init__(
        self,
        encoder: Encoder,
        matcher: OccupationMatcher | None = None,
        *,
        weights: Mapping[str, float] | None = None,
        fusion: Fusion | None = None,
        scorer: HandWeightedScorer | None = None,
        reranker: LambdaRankReranker | None = None,
        zone_districts: Mapping[str, str] | None = None,
        exact_threshold: int = 20_000,
        pool_size: int = 100,
        translate_queries: bool = True,
        code_cache: Mapping[str, dict[str, float]] | None = None,
    ):
        self.encoder = encoder
        self.code_cache = code_cache
        self.matcher = matcher
        if fusion is not None and weights is not None:
            raise InvalidInput("give fusion or weights, not both", field="weights")
        self.fusion = fusion or Fusion(FusionRule(dict(weights or dict.fromkeys(CHANNELS, 1.0))))
        self.scorer = scorer or HandWeightedScorer()
        self.reranker = reranker
        self.zone_districts = dict(zone_districts or {})
        self.exact_threshold = exact_threshold
        self.pool_size = pool_size
        self.translate_queries = translate_queries
        self._docs: dict[int, Document] = {}
        self._tokens: dict[int, list[str]] = {}
        self._codes: dict[int, dict[str, float]] = {}
        self._vectors: dict[str, VectorIndex] = {}
        self._snap: _Snapshot | None = None
        self._pairs = PairFeatures(matcher, self.zone_districts)

    # -- writes ------------------------------------------------------------------------------------
    def upsert(self, docs: Sequence[Document]) -> None:
        """Insert or replace documents (validated, embedded, tokenised, mapped to codes)."""
        docs = [d.validate() for d in docs]
        if len({d.id for d in docs}) != len(docs):
            raise InvalidInput("document ids repeat within one batch", field="id")
        if not docs:
            return
        vectors = self.encoder.encode([d.full_text for d in docs])
        for kind in {d.kind for d in docs}:
            rows = [i for i, d in enumerate(docs) if d.kind == kind]
            moved = [
                d.id for d in (docs[i] for i in rows) if d.id in self._docs and self._docs[d.id].kind != kind
            ]
            for index in self._vectors.values():
                index.delete(moved)
            index = self._vectors.setdefault(
                kind,
                VectorIndex(
                    vectors.shape[1],
                    exact_threshold=self.exact_threshold,
                    metadata={"model_id": self.encoder.model_id_, "kind": kind},
                ),
            )
            index.upsert([docs[i].id for i in rows], vectors[rows])
        self._pairs.forget(d.id for d in docs)
        for d in docs:
            self._docs[d.id] = d
            self._tokens[d.id] = tokenize(self._indexed_text(d))
            self._codes[d.id] = self._doc_codes(d)
            if d.kind == "profile":  # found once here and saved: a query never scans a profile for skills
                self._pairs.evidence.skills(d, remember=True)
        self._snap = None

    def delete(self, ids: Iterable[int]) -> int:
        """Remove documents (right to erasure): gone from the very next query."""
        ids = [int(i) for i in ids]
        for index in self._vectors.values():
            index.delete(ids)
        removed = 0
        for i in ids:
            removed += self._docs.pop(i, None) is not None
            self._tokens.pop(i, None)
            self._codes.pop(i, None)
        self._pairs.forget(ids)
        if self._snap is not None:
            rows = [self._snap.row_of[i] for i in ids if i in self._snap.row_of]
            self._snap.removed[rows] = True
        return removed

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, doc_id: int) -> bool:
        return doc_id in self._docs

    def get(self, doc_id: int) -> Document:
        return self._docs[doc_id]

    @staticmethod
    def _indexed_text(d: Document) -> str:
        return indexed_text(d)

    @staticmethod
    def codes_key(d: Document) -> str:
        """What a document's taxonomy codes depend on (its text and skills), hashed."""
        return hashlib.sha1("\x00".join([d.full_text, *d.skills]).encode("utf-8")).hexdigest()

    def known_codes(self) -> dict[str, dict[str, float]]:
        """``codes_key`` → codes of every document held: a ``code_cache`` for the next build."""
        return {self.codes_key(d): self._codes.get(i, {}) for i, d in self._docs.items()}

    def _doc_codes(self, d: Document) -> dict[str, float]:
        if self.matcher is None:
            return {}
        if self.code_cache:
            cached = self.code_cache.get(self.codes_key(d))
            if cached is not None:
                return dict(cached)
        codes = self.matcher.codes(d.full_text)
        for skill in d.skills:
            for code, w in self.matcher.codes(skill).items():
                codes[code] = max(codes.get(code, 0.0), w)
        return codes

    def _query_codes(self, query: Document) -> dict[str, float]:
        """A query's codes: its title's at full weight, the rest at half (``query_codes``)."""
        if self.matcher is None:
            return {}
        codes = self.matcher.query_codes("\n".join(x for x in (query.title, query.text) if x))
        for skill in query.skills:
            for code, w in self.matcher.codes(skill).items():
                codes[code] = max(codes.get(code, 0.0), 0.5 * w)
        return codes

    def warm(self) -> None:
        """Build the lexical and taxonomy structures and run one query through every channel now
        (after ``load``), so the first request pays for neither: the snapshot, the encoder's first
        forward pass, jieba's dictionary and FAISS's first search cost about half a second."""
        self._snapshot()
        if self._docs:
            kinds = {d.kind for d in self._docs.values()}
            to = Direction.PROJECT_TO_CANDIDATES if "profile" in kinds else Direction.PROFILE_TO_OPPORTUNITIES
            self.search(WARM_UP_QUERY, to, top_k=1)

    def _snapshot(self) -> _Snapshot:
        if self._snap is None:
            ids = sorted(self._docs)
            for i in ids:
                if i not in self._tokens:  # after load(): tokens are recomputed on the first write
                    self._tokens[i] = tokenize(self._indexed_text(self._docs[i]))
            self._snap = _Snapshot(
                np.array(ids, dtype=np.int64),
                {i: r for r, i in enumerate(ids)},
                FieldTable([self._docs[i] for i in ids]),
                BM25().index(ids, [self._tokens[i] for i in ids]),
                CodeIndex(len(ids), [self._codes.get(i, {}) for i in ids]),
                np.zeros(len(ids), dtype=bool),
            )
        return self._snap

    # -- retrieval ---------------------------------------------------------------------------------
    def query_tokens(self, text: str, exclude: Iterable[str] = ()) -> list[str]:
        """BM25 tokens of a query, plus (``translate_queries``) those of the other language's names of
        the titles and skills it holds, through the bilingual taxonomy: the lexical zh ↔ en bridge."""
        out = tokenize(text)
        if self.translate_queries and self.matcher is not None:
            out += tokenize(" ".join(self.matcher.counterparts(text, exclude)))
        return out

    def channel_hits(
        self,
        text: str,
        k: int,
        mask: np.ndarray | None = None,
        query_vector: np.ndarray | None = None,
        query_codes: Mapping[str, float] | None = None,
        query_tokens: Sequence[str] | None = None,
    ) -> dict[str, Hits]:
        """Each channel's top-k within ``mask`` (a boolean mask over the snapshot's rows, None = all)."""
        snap = self._snapshot()
        mask = snap.alive(mask)
        out: dict[str, Hits] = {}
        q = self.encoder.encode([text])[0] if query_vector is None else query_vector
        merged: list[Hits] = []
        for kind, index in self._vectors.items():
            kind_rows = snap.table.kind_mask(kind)
            allowed = kind_rows if mask is None else kind_rows & mask
            if not allowed.any():
                continue
            everything = allowed.sum() == len(index)
            merged.append(index.search(q, k, allowed_ids=None if everything else snap.ids[allowed]))
        if merged:
            ids = np.concatenate([h.ids for h in merged])
            scores = np.concatenate([h.scores for h in merged])
            order = np.lexsort((ids, -scores))[:k]
            out["dense"] = Hits(ids[order], scores[order])
        else:
            out["dense"] = Hits(np.zeros(0, np.int64), np.zeros(0, np.float32))
        lexical = self.query_tokens(text) if query_tokens is None else list(query_tokens)
        out["lexical"] = snap.bm25.retrieve(lexical, k, mask)
        if self.matcher is not None:
            codes = self.matcher.codes(text) if query_codes is None else query_codes
            scores = snap.codes.scores(codes)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            rows = _top_rows(scores, k)
            out["taxonomy"] = Hits(snap.ids[rows], scores[rows])
        return out

    @property
    def weights(self) -> dict[str, float]:
        """The default rule's channel weights."""
        return dict(self.fusion.default.weights)

    def fused(self, hits: Mapping[str, Hits], k: int, text: str = "") -> list[tuple[int, float]]:
        """Fuse channel hits with the rule for the query text's language (the default rule without text)."""
        scored = {c: (h.ids.tolist(), h.scores.tolist()) for c, h in hits.items()}
        rule = self.fusion.rule_for(text) if text else self.fusion.default
        return rule.fuse(scored)[:k]

    def search(
        self,
        query: Document | str,
        direction: Direction | str,
        top_k: int = 10,
        filters: Filters | None = None,
        today: date | None = None,
    ) -> list[Match]:
        """Best matches for ``query`` in ``direction``, each with its reasons.

        Limits: query text 1..4000 characters, ``top_k`` 1..100 (``InvalidInput`` naming the field).
        """
        direction = _direction(direction)
        query, text = self._query(query, direction)
        if not 1 <= int(top_k) <= MAX_TOP_K:
            raise InvalidInput(f"top_k must be between 1 and {MAX_TOP_K}, got {top_k}", field="top_k")
        hits, q_vec, q_codes = self._pool(query, direction, filters, max(self.pool_size, top_k))
        fused = self.fused(hits, max(self.pool_size, top_k), text)
        if not fused:
            return []
        ids = [i for i, _ in fused]
        ranks = {c: {int(d): r + 1 for r, d in enumerate(h.ids)} for c, h in hits.items()}
        features, evidence = self._features(
            query, direction, ids, hits, q_vec, q_codes, today or date.today()
        )
        hand = self.scorer.score(features)
        parts = self.scorer.parts(features)
        order_score = self.reranker.score(features) if self.reranker is not None else hand
        order = sorted(range(len(ids)), key=lambda i: (-order_score[i], -hand[i], ids[i]))[:top_k]
        matches = []
        for rank, i in enumerate(order, start=1):
            met, missing, common = evidence[i]
            reasons = Reasons(
                met,
                missing,
                [self._pairs.code_in_common(c) for c in common],
                {f: round(float(p) * 100, 2) for f, p in zip(FEATURES, parts[i], strict=True)},
                {c: r[ids[i]] for c, r in ranks.items() if ids[i] in r},
            )
            matches.append(
                Match(
                    ids[i],
                    self._docs[ids[i]].kind,
                    rank,
                    round(float(hand[i]) * 100, 2),
                    reasons,
                    None if self.reranker is None else float(order_score[i]),
                )
            )
        return matches

    def _query(self, query: Document | str, direction: Direction) -> tuple[Document, str]:
        if isinstance(query, str):
            query = Document(
                id=-1, kind="profile" if direction.startswith("profile") else "project", text=query
            )
        text = query.full_text
        if not text.strip():
            raise InvalidInput("query text is empty: give a title, a description or skills", field="text")
        if len(text) > MAX_TEXT_CHARS:
            raise InvalidInput(
                f"query text has {len(text)} characters; the limit is {MAX_TEXT_CHARS}", field="text"
            )
        return query, text

    def _pool(self, query: Document, direction: Direction, filters: Filters | None, pool: int):
        """Each channel's top ``pool`` among the documents the filters (and consent) admit."""
        filters = (filters or Filters()).validate()
        targets = TARGETS[direction] if filters.kinds is None else TARGETS[direction] & filters.kinds
        consent_any = filters.consent_any
        if "profile" in targets and consent_any is None:
            consent_any = CANDIDATE_CONSENT
        filters = replace(filters, kinds=targets, consent_any=consent_any)
        snap = self._snapshot()
        mask = snap.table.mask(filters)
        if query.id in snap.row_of:
            mask[snap.row_of[query.id]] = False
        q_vec = self.encoder.encode([self._indexed_text(query)])[0]
        q_codes = self._query_codes(query)
        hits = self.channel_hits(self._indexed_text(query), pool, mask, q_vec, q_codes)
        return hits, q_vec, q_codes

    def feature_matrix(
        self,
        query: Document,
        direction: Direction | str,
        ids: Sequence[int],
        filters: Filters | None = None,
        today: date | None = None,
    ) -> np.ndarray:
        """The ``FEATURES`` rows of ``ids`` for ``query`` as ``search`` computes them (the re-ranker's
        training input); ids absent from the index get a row of NaN."""
        direction = _direction(direction)
        query, _ = self._query(query, direction)
        hits, q_vec, q_codes = self._pool(query, direction, filters, self.pool_size)
        known = [i for i in ids if i in self._docs]
        out = np.full((len(ids), len(FEATURES)), np.nan)
        if known:
            rows, _ = self._features(query, direction, known, hits, q_vec, q_codes, today or date.today())
            where = {d: r for r, d in enumerate(known)}
            for n, i in enumerate(ids):
                if i in where:
                    out[n] = rows[where[i]]
        return out

    def _features(self, query, direction, ids, hits, q_vec, q_codes, today):
        dense = dict(zip(hits["dense"].ids.tolist(), hits["dense"].scores.tolist(), strict=True))
        lex = dict(zip(hits["lexical"].ids.tolist(), hits["lexical"].scores.tolist(), strict=True))
        lex_max = max(lex.values(), default=0.0) or 1.0
        docs = [self._docs[i] for i in ids]
        cosines = [
            dense[d.id] if d.id in dense else float(self._vectors[d.kind].vector(d.id) @ q_vec) for d in docs
        ]
        return self._pairs.rows(
            query,
            direction != Direction.PROFILE_TO_OPPORTUNITIES,
            docs,
            cosines,
            [lex.get(i, 0.0) / lex_max for i in ids],
            q_codes,
            [self._codes.get(i, {}) for i in ids],
            today,
        )

    # -- persistence -------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        """documents.jsonl (with codes), one vector index per kind, card.json; no pickles."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        with open(directory / "documents.jsonl", "w", encoding="utf-8") as handle:
            for doc_id in sorted(self._docs):
                row = self._docs[doc_id].to_json() | {"_codes": self._codes.get(doc_id, {})}
                if (skills := self._pairs.evidence.known_skills(doc_id)) is not None:
                    row["_skills"] = [[s.key, s.surface] for s in skills]
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        for kind, index in self._vectors.items():
            index.save(directory / "vectors" / kind)
        card = {
            "format": FORMAT,
            "model_id": self.encoder.load().model_id_,
            "fusion": self.fusion.to_json(),
            "pool_size": self.pool_size,
            "exact_threshold": self.exact_threshold,
            "translate_queries": self.translate_queries,
            "kinds": sorted(self._vectors),
            "documents": len(self._docs),
        }
        (directory / "card.json").write_text(json.dumps(card, indent=2))

    @classmethod
    def load(
        cls, directory: str | Path, encoder: Encoder, matcher: OccupationMatcher | None = None, **kwargs
    ) -> HybridRetriever:
        directory = Path(directory)
        card = json.loads((directory / "card.json").read_text())
        model_id = encoder.load().model_id_
        if card.get("format") != FORMAT or card.get("model_id") != model_id:
            raise ArtifactIncompatible(
                f"retriever {directory} was built with model {card.get('model_id')!r} (format "
                f"{card.get('format')}); the encoder is {model_id!r} (format {FORMAT}): rebuild the index"
            )
        self = cls(
            encoder,
            matcher,
            fusion=Fusion.from_json(card["fusion"] if "fusion" in card else {"weights": card["weights"]}),
            pool_size=card["pool_size"],
            exact_threshold=card["exact_threshold"],
            translate_queries=card.get("translate_queries", False),
            **kwargs,
        )
        with open(directory / "documents.jsonl", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                doc = Document.from_json(row)
                self._docs[doc.id] = doc
                self._codes[doc.id] = row.get("_codes", {})
                if "_skills" in row:  # versions saved before skills were kept find them on first use
                    self._pairs.evidence.remember_skills(
                        doc.id, tuple(SkillMatch(k, surface) for k, surface in row["_skills"])
                    )
        for kind in card["kinds"]:
            self._vectors[kind] = VectorIndex.load(
                directory / "vectors" / kind, expect_metadata={"model_id": model_id}
            )
        return self


def _top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k best positive scores, best first, ties by row: the same as sorting every positive
    row, without sorting them all (tens of thousands share a common occupation code at 100k)."""
    rows = np.flatnonzero(scores > 0)
    if len(rows) > k:
        s = scores[rows]
        kth = np.partition(s, len(s) - k)[len(s) - k]
        above = rows[s > kth]
        rows = np.concatenate([above, rows[s == kth][: k - len(above)]])
    return rows[np.lexsort((rows, -scores[rows]))]


def _direction(value: Direction | str) -> Direction:
    try:
        return Direction(value)
    except ValueError:
        raise InvalidInput(
            f"direction {value!r} is not one of {[d.value for d in Direction]}", field="direction"
        ) from None
