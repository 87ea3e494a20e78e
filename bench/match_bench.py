"""Matching benchmark: encoder throughput, index build time, bytes per item, query latency p50/p99 and
recall@10 against exact search (flat vs HNSW at several efSearch), with and without a filter.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/match_bench.py --n 100000 --out var/bench/match.json

Vectors: ``--vectors DIR_OR_FILE`` (a ``.npy`` file, or the chunk directory ``bench/encode_profiles.py``
writes: embeddings of simulated profiles), else ``--n`` synthetic unit vectors drawn around 2,000
cluster centres (real embeddings are clustered; isotropic noise would make HNSW look worse than it is).
The first ``--queries`` vectors are the queries, never indexed. ``--expand-to N`` grows the indexed
real vectors to N by ``expand`` (points between each real vector and one of its nearest real
neighbours) when fewer real embeddings exist than the size to measure; ``--check-expansion`` measures
how faithful that is: the same search on the real vectors and on an expansion of half of them to the
same count. Query encoding is excluded from latency. Prints a table, writes JSON. Never part of the
test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from models.matching.runtime import configure_threads  # noqa: E402


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def expand(seeds: np.ndarray, n: int, seed: int, neighbours: int = 10) -> np.ndarray:
    """``seeds`` followed by ``n - len(seeds)`` unit vectors, each a random seed vector moved a random
    part of the way (at most half) towards one of its ``neighbours`` nearest seeds, plus noise of the
    size of a typical nearest-neighbour gap: new points where the real ones are, as dense as N would
    make them, with local spread like theirs."""
    import faiss

    extra = n - len(seeds)
    if extra <= 0:
        return seeds[:n]
    index = faiss.IndexFlatIP(seeds.shape[1])
    index.add(seeds)
    sims, nn = index.search(seeds, neighbours + 1)
    gap = float(np.median(np.sqrt(np.maximum(0.0, 2 - 2 * sims[:, 1]))))
    rng = np.random.default_rng(seed)
    a = rng.integers(0, len(seeds), extra)
    b = nn[a, rng.integers(1, neighbours + 1, extra)]
    lam = rng.uniform(0, 0.5, extra).astype(np.float32)[:, None]
    noise = rng.normal(size=(extra, seeds.shape[1])).astype(np.float32)
    noise *= 0.5 * gap / np.sqrt(seeds.shape[1])
    out = (1 - lam) * seeds[a] + lam * seeds[b] + noise
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return np.concatenate([seeds, out.astype(np.float32)])


def load_vectors(path: Path) -> np.ndarray:
    if path.is_dir():
        from encode_profiles import load_vectors as chunks

        return chunks(path)
    return np.load(path).astype(np.float32)


def encoder_throughput(n_texts: int, threads: int) -> dict:
    from models.matching.encoder import Encoder

    texts = [
        f"Senior data engineer #{i} building Spark pipelines; 数据工程师，负责数据管道与数仓建设。" * 2
        for i in range(n_texts)
    ]
    encoder = Encoder(num_threads=threads).load()
    encoder.encode(texts[:32])
    start = time.perf_counter()
    encoder.encode(texts[32:])
    seconds = time.perf_counter() - start
    return {
        "texts": n_texts - 32,
        "seconds": round(seconds, 3),
        "texts_per_s": round((n_texts - 32) / seconds, 1),
    }


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


def measure(
    vectors: np.ndarray,
    queries: np.ndarray,
    kind: str,
    efs: list[int],
    k: int = 10,
    m: int = 32,
    ef_construction: int = 80,
    label: str = "",
) -> list[dict]:
    from models.matching.vector_index import VectorIndex

    n, dim = vectors.shape
    threshold = n + 1 if kind == "flat" else 0
    index = VectorIndex(dim, exact_threshold=threshold, hnsw_m=m, ef_construction=ef_construction)
    start = time.perf_counter()
    index.add(np.arange(n, dtype=np.int64), vectors)
    build = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        version = index.save(tmp)
        size = sum(p.stat().st_size for p in Path(version).iterdir())
    exact = np.vstack([top_k(q @ vectors.T, k) for q in queries])
    rng = np.random.default_rng(0)
    allowed = np.flatnonzero(rng.random(n) < 0.3)  # a 30 % filter (e.g. one zone + consent)
    allowed_set = set(allowed.tolist())
    rows = []
    for ef in efs if kind == "hnsw" else [0]:
        index.ef_search = ef or index.ef_search
        for filtered in (False, True):
            latencies, recalls = [], []
            for qi, q in enumerate(queries):
                t = time.perf_counter()
                hits = index.search(q, k, allowed_ids=allowed if filtered else None)
                latencies.append((time.perf_counter() - t) * 1000)
                if filtered:
                    assert set(hits.ids.tolist()) <= allowed_set and len(hits.ids) == k
                else:
                    recalls.append(len(set(hits.ids.tolist()) & set(exact[qi].tolist())) / k)
            rows.append(
                {
                    "vectors": label,
                    "kind": kind,
                    "n": n,
                    "m": m if kind == "hnsw" else None,
                    "ef_construction": ef_construction if kind == "hnsw" else None,
                    "ef_search": ef or None,
                    "filter": "30%" if filtered else "none",
                    "build_s": round(build, 2),
                    "bytes_per_item": round(size / n, 1),
                    "p50_ms": round(float(np.percentile(latencies, 50)), 3),
                    "p99_ms": round(float(np.percentile(latencies, 99)), 3),
                    "recall@10": round(float(np.mean(recalls)), 4) if recalls else None,
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--vectors", type=Path)
    parser.add_argument("--expand-to", type=int, nargs="+", help="sizes to grow the real vectors to")
    parser.add_argument("--check-expansion", action="store_true")
    parser.add_argument("--m", type=int, default=32)
    parser.add_argument("--ef-construction", type=int, default=80)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--encoder-texts", type=int, default=544)
    parser.add_argument("--ef", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--skip-flat", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("var/bench/match.json"))
    args = parser.parse_args()
    configure_threads(torch_threads=args.threads, faiss_threads=args.threads)
    if args.vectors:
        vectors = load_vectors(args.vectors)
        label = f"embeddings of {len(vectors)} simulated profiles ({args.vectors})"
    else:
        vectors = clustered(args.n + args.queries, args.dim, 1)
        label = "synthetic clustered"
    queries, vectors = vectors[: args.queries], vectors[args.queries :]
    result = {
        "machine": platform.processor() or platform.machine(),
        "threads": args.threads,
        "vectors": label,
        "real_vectors_indexed": len(vectors) if args.vectors else 0,
        "rows": [],
    }
    if args.encoder_texts:
        result["encoder"] = encoder_throughput(args.encoder_texts, args.threads)
        print(f"encoder: {result['encoder']['texts_per_s']} texts/s ({args.threads} threads)")
    knobs = {"m": args.m, "ef_construction": args.ef_construction}
    kinds = ([] if args.skip_flat else ["flat"]) + ["hnsw"]
    if args.check_expansion:
        half = expand(vectors[: len(vectors) // 2], len(vectors), seed=2)
        result["rows"].extend(measure(vectors, queries, "hnsw", args.ef, label="real", **knobs))
        result["rows"].extend(measure(half, queries, "hnsw", args.ef, label="half expanded", **knobs))
    for size in args.expand_to or ([] if args.check_expansion else [len(vectors)]):
        grown = expand(vectors, size, seed=1)
        tag = "real" if size <= len(vectors) else f"real {len(vectors)} + expanded"
        tag = tag if args.vectors else "synthetic clustered"
        for kind in kinds:
            rows = measure(grown, queries, kind, args.ef, label=tag, **knobs)
            result["rows"].extend(rows)
            for row in rows:
                print(json.dumps(row), flush=True)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(result, indent=2))  # what is measured so far survives a kill
        del grown
    header = (
        "vectors",
        "kind",
        "n",
        "m",
        "ef_search",
        "filter",
        "build_s",
        "bytes_per_item",
        "p50_ms",
        "p99_ms",
        "recall@10",
    )
    print(" | ".join(f"{h:>14}" for h in header))
    for row in result["rows"]:
        print(" | ".join(f"{'' if row[h] is None else row[h]!s:>14}" for h in header))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
