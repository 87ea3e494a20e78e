"""A FAISS vector index with our own id registry as the truth (PITFALLS: HNSW cannot remove ids).

* Rows are appended; FAISS's internal id of a row is its row number, and ``row_ids[row]`` is the external
  int64 id. ``row_of`` maps each *live* external id to its row. A delete or an upsert tombstones the
  old row; queries filter tombstones inside the search (an ``IDSelectorBitmap``), so a delete is
  visible to the very next query. When tombstones exceed ``rebuild_fraction`` of the rows, or the
  collection crosses ``exact_threshold``, the structure is rebuilt from the live rows.
* Below ``exact_threshold`` live items the index is exact (``IndexFlatIP``); above it, HNSW
  (``IndexHNSWFlat``, inner product). Vectors must be L2-normalised, so inner product is cosine.
* Filters are an allowed-id set applied inside retrieval. The result has ``min(k, eligible)`` items:
  if HNSW returns fewer (restrictive filters leave -1 slots), ``efSearch`` is raised, and finally an
  exact scan over the eligible rows answers.
* ``rebuild()`` builds the new structure outside the lock, replays the writes that arrived meanwhile,
  and swaps the reference under the lock, so queries continue throughout (faiss #367: never add and
  search one FAISS index concurrently — searches and writes share one lock; a rebuild does not hold it).
* ``save`` writes a new version directory (``index.faiss``, ``row_ids.npy``, ``alive.npy``,
  ``card.json``; no pickles) and then atomically replaces the ``CURRENT`` pointer file.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from models.errors import ArtifactIncompatible, Conflict, InvalidInput, NotFound

FORMAT = 1
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)


class Hits(NamedTuple):
    """Search results, best first: external ids and inner-product (cosine) scores."""

    ids: np.ndarray
    scores: np.ndarray


def _faiss():
    import faiss  # imported late: torch first, then faiss (the order we test)

    return faiss


@dataclass
class _Structure:
    """One FAISS index and the registry rows it holds (row i of FAISS is ``row_ids[i]``)."""

    index: object
    kind: str
    row_ids: np.ndarray  # int64, capacity-grown; valid up to n_rows
    alive: np.ndarray  # bool, same length as row_ids
    n_rows: int = 0
    row_of: dict[int, int] = field(default_factory=dict)
    _alive_bits: np.ndarray | None = None
    _sorted: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def n_dead(self) -> int:
        return self.n_rows - len(self.row_of)

    def invalidate(self) -> None:
        self._alive_bits = None
        self._sorted = None

    def alive_bits(self) -> np.ndarray:
        if self._alive_bits is None:
            self._alive_bits = np.packbits(self.alive[: self.n_rows], bitorder="little")
        return self._alive_bits

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Rows of the live ids among ``ids`` (vectorised through a sorted copy of the registry)."""
        if self._sorted is None:
            keys = np.fromiter(self.row_of.keys(), dtype=np.int64, count=len(self.row_of))
            rows = np.fromiter(self.row_of.values(), dtype=np.int64, count=len(self.row_of))
            order = np.argsort(keys, kind="stable")
            self._sorted = (keys[order], rows[order])
        keys, rows = self._sorted
        if len(keys) == 0:
            return _EMPTY_IDS
        pos = np.searchsorted(keys, ids)
        pos = np.clip(pos, 0, len(keys) - 1)
        found = keys[pos] == ids
        out = rows[pos[found]]
        # Strictly increasing ids (what the retriever passes) map to distinct rows: skip the sort that
        # np.unique costs (3 of 3.3 ms for 15k allowed ids of 50k, measured).
        if len(ids) > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            out = np.unique(out)
        return out

    def vectors(self) -> np.ndarray:
        """A zero-copy view of the stored vectors (refetched per call: FAISS may reallocate on add)."""
        faiss = _faiss()
        flat = faiss.downcast_index(self.index.storage) if self.kind == "hnsw" else self.index
        n, d = flat.ntotal, flat.d
        if n == 0:
            return np.zeros((0, d), dtype=np.float32)
        raw = faiss.rev_swig_ptr(flat.codes.data(), n * d * 4)
        return np.asarray(raw).view(np.float32).reshape(n, d)

    def append(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        need = self.n_rows + len(ids)
        if need > len(self.row_ids):
            capacity = max(need, 2 * len(self.row_ids), 1024)
            self.row_ids = np.resize(self.row_ids, capacity)
            alive = np.zeros(capacity, dtype=bool)
            alive[: self.n_rows] = self.alive[: self.n_rows]
            self.alive = alive
        self.index.add(vectors)
        self.row_ids[self.n_rows : need] = ids
        self.alive[self.n_rows : need] = True
        for offset, external in enumerate(ids.tolist()):
            self.row_of[external] = self.n_rows + offset
        self.n_rows = need
        self.invalidate()

    def tombstone(self, ids: Iterable[int]) -> int:
        removed = 0
        for external in ids:
            row = self.row_of.pop(int(external), None)
            if row is not None:
                self.alive[row] = False
                removed += 1
        if removed:
            self.invalidate()
        return removed


LARGE_INDEX = 500_000  # rows from which queries search with ``ef_search_large``


class VectorIndex:
    """Cosine top-k over L2-normalised float32 vectors with stable external int64 ids.

    ``exact_threshold``: live items at or below which the index is exact (``IndexFlatIP``); set it by
    measurement (``bench/match_bench.py``). ``hnsw_m``, ``ef_construction``, ``ef_search``: HNSW knobs;
    ``ef_search_large`` replaces ``ef_search`` from ``LARGE_INDEX`` rows, where a graph search needs a
    wider beam to keep recall@10 ≥ 0.95 (docs/matching.md: at 1M, M=48/efConstruction=200 give recall
    0.902 / 0.942 / 0.958 at efSearch 128 / 256 / 512, p99 0.7 / 1.1 / 1.5 ms; M=32/efConstruction=80
    topped out at 0.931 with efSearch 1024).
    ``rebuild_fraction``: share of tombstoned rows that triggers a compaction.
    """

    def __init__(
        self,
        dim: int,
        *,
        exact_threshold: int = 20_000,
        hnsw_m: int = 48,
        ef_construction: int = 200,
        ef_search: int = 128,
        ef_search_large: int = 512,
        rebuild_fraction: float = 0.25,
        auto_rebuild: bool = True,
        metadata: dict | None = None,
    ):
        if dim <= 0:
            raise InvalidInput(f"dim must be positive, got {dim}", field="dim")
        self.dim = dim
        self.exact_threshold = exact_threshold
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.ef_search_large = ef_search_large
        self.rebuild_fraction = rebuild_fraction
        self.auto_rebuild = auto_rebuild
        self.metadata = dict(metadata or {})
        self._lock = threading.RLock()
        self._journal: list[tuple[str, np.ndarray, np.ndarray | None]] | None = None
        self._s = self._empty("flat")

    # -- structure ---------------------------------------------------------------------------------
    def _new_faiss(self, kind: str):
        faiss = _faiss()
        if kind == "flat":
            return faiss.IndexFlatIP(self.dim)
        index = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.ef_construction
        index.hnsw.efSearch = self.ef_search
        return index

    def _empty(self, kind: str) -> _Structure:
        return _Structure(self._new_faiss(kind), kind, np.zeros(0, np.int64), np.zeros(0, bool))

    @property
    def kind(self) -> str:
        """``"flat"`` (exact) or ``"hnsw"`` (approximate)."""
        return self._s.kind

    def __len__(self) -> int:
        return len(self._s.row_of)

    def __contains__(self, external_id: int) -> bool:
        return int(external_id) in self._s.row_of

    @property
    def tombstones(self) -> int:
        return self._s.n_dead

    def ids(self) -> np.ndarray:
        """The live external ids, sorted."""
        return np.sort(np.fromiter(self._s.row_of.keys(), dtype=np.int64, count=len(self._s.row_of)))

    def vector(self, external_id: int) -> np.ndarray:
        with self._lock:
            row = self._s.row_of.get(int(external_id))
            if row is None:
                raise NotFound(f"no vector with id {external_id}", field="id")
            return self._s.vectors()[row].copy()

    # -- writes ------------------------------------------------------------------------------------
    def _check(self, ids, vectors) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape != (len(ids), self.dim):
            raise InvalidInput(
                f"vectors must have shape ({len(ids)}, {self.dim}), got {vectors.shape}", field="vectors"
            )
        if len(np.unique(ids)) != len(ids):
            raise InvalidInput("ids repeat within one batch", field="ids")
        if (ids < 0).any():
            raise InvalidInput("ids must be non-negative (-1 is FAISS's 'no result')", field="ids")
        if not np.isfinite(vectors).all():
            raise InvalidInput("vectors contain NaN or infinity", field="vectors")
        norms = np.linalg.norm(vectors, axis=1)
        if len(norms) and np.abs(norms - 1.0).max() > 1e-3:
            raise InvalidInput("vectors must be L2-normalised (inner product = cosine)", field="vectors")
        return ids, vectors

    def add(self, ids, vectors) -> None:
        """Add new items; an id already present is a ``Conflict`` (use ``upsert`` to replace)."""
        ids, vectors = self._check(ids, vectors)
        with self._lock:
            present = [i for i in ids.tolist() if i in self._s.row_of]
            if present:
                raise Conflict(f"ids already in the index: {present[:5]}", field="ids")
            self._write("upsert", ids, vectors)

    def upsert(self, ids, vectors) -> None:
        """Insert or replace items; visible to the next query."""
        ids, vectors = self._check(ids, vectors)
        with self._lock:
            self._write("upsert", ids, vectors)

    def delete(self, ids) -> int:
        """Remove items (unknown ids are ignored); returns how many were live. Visible to the next query."""
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        with self._lock:
            return self._write("delete", ids, None)

    def _write(self, op: str, ids: np.ndarray, vectors: np.ndarray | None) -> int:
        if self._s.n_rows == 0 and self._journal is None and op == "upsert":
            self._s = self._empty("hnsw" if len(ids) > self.exact_threshold else "flat")
        s = self._s
        removed = s.tombstone(ids.tolist())
        if op == "upsert":
            assert vectors is not None
            s.append(ids, vectors)
        if self._journal is not None:
            self._journal.append((op, ids, vectors))
        elif self.auto_rebuild and self._needs_rebuild():
            self.rebuild()
        return removed

    def _needs_rebuild(self) -> bool:
        s = self._s
        wanted = "hnsw" if len(s.row_of) > self.exact_threshold else "flat"
        return wanted != s.kind or (s.n_rows > 0 and s.n_dead / s.n_rows > self.rebuild_fraction)

    def rebuild(self) -> None:
        """Compact to the live rows (choosing flat or HNSW by size) and swap it in atomically.

        Safe to call from a background thread: queries and writes go on against the old structure;
        writes made during the build are replayed onto the new one before the swap.
        """
        with self._lock:
            if self._journal is not None:
                return  # a rebuild is already under way
            old = self._s
            rows = np.fromiter(old.row_of.values(), dtype=np.int64, count=len(old.row_of))
            rows.sort()
            ids = old.row_ids[rows].copy()
            vectors = old.vectors()[rows].copy()
            self._journal = []
        try:
            kind = "hnsw" if len(ids) > self.exact_threshold else "flat"
            new = self._empty(kind)
            if len(ids):
                new.append(ids, vectors)
            with self._lock:
                for op, j_ids, j_vectors in self._journal:
                    new.tombstone(j_ids.tolist())
                    if op == "upsert":
                        new.append(j_ids, j_vectors)
                self._s = new
        finally:
            with self._lock:
                self._journal = None

    # -- search ------------------------------------------------------------------------------------
    def search(
        self, query: np.ndarray, k: int, allowed_ids: Iterable[int] | np.ndarray | None = None
    ) -> Hits:
        """Top-k live items by cosine; with ``allowed_ids``, only those (never fewer than k if they exist)."""
        if k <= 0:
            raise InvalidInput(f"k must be positive, got {k}", field="k")
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if q.shape[1] != self.dim:
            raise InvalidInput(f"query has dimension {q.shape[1]}, the index {self.dim}", field="query")
        with self._lock:
            s = self._s
            if allowed_ids is None:
                rows = None
                eligible = len(s.row_of)
            else:
                rows = s.rows_of(
                    np.asarray(
                        list(allowed_ids) if not isinstance(allowed_ids, np.ndarray) else allowed_ids,
                        dtype=np.int64,
                    )
                )
                eligible = len(rows)
            want = min(k, eligible)
            if want == 0:
                return Hits(_EMPTY_IDS, _EMPTY_SCORES)
            if rows is not None and (eligible <= 4 * k + 1024):
                return self._exact(s, q, want, rows)
            bits = s.alive_bits() if rows is None else self._bits(s, rows)
            use_selector = rows is not None or s.n_dead > 0
            ef = max(self.ef_search_large if s.n_rows >= LARGE_INDEX else self.ef_search, want)
            for _attempt in range(3):
                found_rows, scores = self._faiss_search(s, q, want, bits if use_selector else None, ef)
                if len(found_rows) >= want or s.kind == "flat":
                    break
                ef *= 4
            else:
                return self._exact(
                    s, q, want, rows if rows is not None else np.flatnonzero(s.alive[: s.n_rows])
                )
            return Hits(s.row_ids[found_rows], scores)

    @staticmethod
    def _bits(s: _Structure, rows: np.ndarray) -> np.ndarray:
        mask = np.zeros(s.n_rows, dtype=bool)
        mask[rows] = True
        return np.packbits(mask, bitorder="little")

    def _faiss_search(self, s: _Structure, q: np.ndarray, k: int, bits: np.ndarray | None, ef: int):
        faiss = _faiss()
        selector = faiss.IDSelectorBitmap(s.n_rows, faiss.swig_ptr(bits)) if bits is not None else None
        if s.kind == "hnsw":
            params = faiss.SearchParametersHNSW()
            params.efSearch = ef
        else:
            params = faiss.SearchParameters()
        if selector is not None:
            params.sel = selector
        scores, rows = s.index.search(q, k, params=params)
        keep = rows[0] >= 0  # FAISS pads missing results with -1 (faiss #2657)
        return rows[0][keep], scores[0][keep]

    @staticmethod
    def _exact(s: _Structure, q: np.ndarray, k: int, rows: np.ndarray) -> Hits:
        scores = s.vectors()[rows] @ q[0]
        top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
        top = top[np.lexsort((rows[top], -scores[top]))]
        return Hits(s.row_ids[rows[top]], scores[top].astype(np.float32))

    # -- persistence -------------------------------------------------------------------------------
    def card(self) -> dict:
        import faiss

        s = self._s
        return {
            "format": FORMAT,
            "dim": self.dim,
            "kind": s.kind,
            "live": len(s.row_of),
            "rows": s.n_rows,
            "params": {
                "exact_threshold": self.exact_threshold,
                "hnsw_m": self.hnsw_m,
                "ef_construction": self.ef_construction,
                "ef_search": self.ef_search,
                "ef_search_large": self.ef_search_large,
                "rebuild_fraction": self.rebuild_fraction,
            },
            "metadata": self.metadata,
            "versions": {"faiss": faiss.__version__, "numpy": np.__version__},
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def save(self, directory: str | Path, keep_versions: int = 2) -> Path:
        """Write a new version directory and atomically point ``CURRENT`` at it; returns the version dir."""
        faiss = _faiss()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        version = directory / f"v-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
        tmp = directory / f".tmp-{version.name}"
        tmp.mkdir()
        with self._lock:
            s = self._s
            faiss.write_index(s.index, str(tmp / "index.faiss"))
            np.save(tmp / "row_ids.npy", s.row_ids[: s.n_rows])
            np.save(tmp / "alive.npy", s.alive[: s.n_rows])
            (tmp / "card.json").write_text(json.dumps(self.card(), indent=2))
        os.replace(tmp, version)
        pointer = directory / ".CURRENT.tmp"
        pointer.write_text(version.name)
        os.replace(pointer, directory / "CURRENT")
        old = sorted(p for p in directory.glob("v-*") if p.is_dir() and p != version)
        for stale in old[: max(0, len(old) - (keep_versions - 1))]:
            for child in stale.iterdir():
                child.unlink()
            stale.rmdir()
        return version

    @classmethod
    def load(cls, directory: str | Path, *, expect_metadata: dict | None = None) -> VectorIndex:
        """Load the version ``CURRENT`` points to; refuse a mismatched card (``ArtifactIncompatible``)."""
        faiss = _faiss()
        directory = Path(directory)
        pointer = directory / "CURRENT"
        if not pointer.exists():
            raise NotFound(f"no vector index in {directory} (no CURRENT file)", field="directory")
        version = directory / pointer.read_text().strip()
        card = json.loads((version / "card.json").read_text())
        if card.get("format") != FORMAT:
            raise ArtifactIncompatible(
                f"vector index {version} has format {card.get('format')}, this code reads format {FORMAT}"
            )
        for key, value in (expect_metadata or {}).items():
            if card["metadata"].get(key) != value:
                raise ArtifactIncompatible(
                    f"vector index {version}: metadata {key}={card['metadata'].get(key)!r}, "
                    f"expected {value!r}"
                )
        self = cls(card["dim"], metadata=card["metadata"], **card["params"])
        index = faiss.read_index(str(version / "index.faiss"))
        row_ids = np.load(version / "row_ids.npy")
        alive = np.load(version / "alive.npy")
        if index.ntotal != len(row_ids) or index.d != card["dim"]:
            raise ArtifactIncompatible(
                f"vector index {version}: {index.ntotal} FAISS rows for {len(row_ids)} registry rows"
            )
        s = _Structure(index, card["kind"], row_ids.astype(np.int64), alive.astype(bool), len(row_ids))
        s.row_of = {int(row_ids[r]): int(r) for r in np.flatnonzero(alive)}
        self._s = s
        return self
