"""BM25 over jieba tokens (Chinese) and lower-cased words (English), saved as ``.npy`` + JSON.

Postings are stored term-major in CSR arrays (``indptr``, ``rows``, ``tf``) with document lengths;
scores are computed at query time (Lucene's BM25 with idf = ln(1 + (N - df + .5)/(df + .5))), so the
index is exact and small. Rows are positions; ``doc_ids`` maps them to external int64 ids.
The index is immutable: the retriever rebuilds it (from cached tokens) after writes, and hides deleted
rows through the ``allowed`` mask until then.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.errors import ArtifactIncompatible, InvalidInput, NotFound
from models.matching.text import tokens as tokenize
from models.matching.vector_index import Hits

FORMAT = 1


class BM25:
    """``BM25(k1, b).index(ids, token_lists)``; ``retrieve(query_tokens, k, allowed_mask)``; save/load."""

    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1 = k1
        self.b = b

    def get_params(self) -> dict:
        return {"k1": self.k1, "b": self.b}

    def index(self, doc_ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> BM25:
        if len(doc_ids) != len(token_lists):
            raise InvalidInput("doc_ids and token_lists differ in length", field="doc_ids")
        vocab: dict[str, int] = {}
        postings: list[list[tuple[int, int]]] = []
        lengths = np.zeros(len(token_lists), dtype=np.float32)
        for row, toks in enumerate(token_lists):
            lengths[row] = len(toks)
            for term, tf in Counter(toks).items():
                t = vocab.setdefault(term, len(vocab))
                if t == len(postings):
                    postings.append([])
                postings[t].append((row, tf))
        sizes = np.array([len(p) for p in postings], dtype=np.int64)
        self.indptr_ = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        flat = [pair for plist in postings for pair in plist]
        self.rows_ = np.array([r for r, _ in flat], dtype=np.int32)
        self.tf_ = np.array([f for _, f in flat], dtype=np.float32)
        self.lengths_ = lengths
        self.vocab_ = vocab
        self.doc_ids_ = np.asarray(doc_ids, dtype=np.int64)
        self._weights = None
        return self

    @property
    def n_docs(self) -> int:
        return len(self.doc_ids_)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query (a query term counts once per occurrence)."""
        out = np.zeros(self.n_docs, dtype=np.float32)
        if self.n_docs == 0:
            return out
        weights = self._posting_weights()
        for term, qtf in Counter(query_tokens).items():
            t = self.vocab_.get(term)
            if t is None:
                continue
            lo, hi = self.indptr_[t], self.indptr_[t + 1]
            out[self.rows_[lo:hi]] += qtf * weights[lo:hi]
        return out

    def _posting_weights(self) -> np.ndarray:
        """Each posting's score for one occurrence of its term in a query, idf × saturated tf. It
        depends on the index alone, so it is computed once (at the first query) rather than on every
        query: a common term's postings then cost one gather-add instead of six array passes."""
        weights = getattr(self, "_weights", None)
        if weights is None:
            avgdl = max(float(self.lengths_.mean()), 1e-9) if self.n_docs else 1.0
            df = np.diff(self.indptr_)
            idf = np.log1p((self.n_docs - df + 0.5) / (df + 0.5))
            tf = self.tf_.astype(np.float64)
            norm = tf + self.k1 * (1 - self.b + self.b * self.lengths_[self.rows_] / avgdl)
            weights = (np.repeat(idf, df) * tf * (self.k1 + 1) / norm).astype(np.float32)
            self._weights = weights
        return weights

    def retrieve(self, query: str | Sequence[str], k: int, allowed: np.ndarray | None = None) -> Hits:
        """Top-k rows with a positive score, restricted to ``allowed`` (a boolean mask over rows)."""
        query_tokens = tokenize(query) if isinstance(query, str) else query
        scores = self.scores(query_tokens)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        order = candidates[np.lexsort((candidates, -scores[candidates]))]
        return Hits(self.doc_ids_[order], scores[order])

    # -- persistence -------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        for name in ("indptr", "rows", "tf", "lengths", "doc_ids"):
            np.save(directory / f"{name}.npy", getattr(self, f"{name}_"))
        terms = sorted(self.vocab_, key=self.vocab_.get)
        tmp = directory / ".vocab.json.tmp"
        tmp.write_text(json.dumps(terms, ensure_ascii=False))
        os.replace(tmp, directory / "vocab.json")
        (directory / "params.json").write_text(json.dumps({"format": FORMAT, **self.get_params()}))

    @classmethod
    def load(cls, directory: str | Path, mmap: bool = False) -> BM25:
        directory = Path(directory)
        if not (directory / "params.json").exists():
            raise NotFound(f"no BM25 index in {directory}", field="directory")
        params = json.loads((directory / "params.json").read_text())
        if params.pop("format", None) != FORMAT:
            raise ArtifactIncompatible(f"BM25 index {directory} is not format {FORMAT}")
        self = cls(**params)
        mode = "r" if mmap else None
        for name in ("indptr", "rows", "tf", "lengths", "doc_ids"):
            setattr(self, f"{name}_", np.load(directory / f"{name}.npy", mmap_mode=mode))
        terms = json.loads((directory / "vocab.json").read_text())
        self.vocab_ = {term: i for i, term in enumerate(terms)}
        return self
