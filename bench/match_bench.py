"""Matching benchmark: encoder throughput, index build time, bytes per item, query latency p50/p99 and
recall@10 against exact search (flat vs HNSW at several efSearch), with and without a filter.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/match_bench.py --n 100000 --out var/bench/match.json

Vectors: ``--vectors file.npy`` (e.g. embeddings of simulated profiles), else ``--n`` synthetic unit
vectors drawn around 2,000 cluster centres (real embeddings are clustered; isotropic noise would make
HNSW look worse than it is). Query encoding is excluded from latency. Prints a table, writes JSON.
Never part of the test suite.
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

from models.matching.runtime import configure_threads  # noqa: E402


def clustered(n: int, dim: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(2000, dim)).astype(np.float32)
    x = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


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
    return {"texts": n_texts - 32, "seconds": round(seconds, 3), "texts_per_s": round((n_texts - 32) / seconds, 1)}


def measure(vectors: np.ndarray, queries: np.ndarray, kind: str, efs: list[int], k: int = 10) -> list[dict]:
    from models.matching.vector_index import VectorIndex

    n, dim = vectors.shape
    threshold = n + 1 if kind == "flat" else 0
    index = VectorIndex(dim, exact_threshold=threshold, hnsw_m=32, ef_construction=80)
    start = time.perf_counter()
    index.add(np.arange(n, dtype=np.int64), vectors)
    build = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        version = index.save(tmp)
        size = sum(p.stat().st_size for p in Path(version).iterdir())
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :k]
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
            rows.append({
                "kind": kind, "n": n, "ef_search": ef or None, "filter": "30%" if filtered else "none",
                "build_s": round(build, 2), "bytes_per_item": round(size / n, 1),
                "p50_ms": round(float(np.percentile(latencies, 50)), 3),
                "p99_ms": round(float(np.percentile(latencies, 99)), 3),
                "recall@10": round(float(np.mean(recalls)), 4) if recalls else None,
            })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--vectors", type=Path)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--encoder-texts", type=int, default=544)
    parser.add_argument("--ef", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--skip-flat", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("var/bench/match.json"))
    args = parser.parse_args()
    configure_threads(torch_threads=args.threads, faiss_threads=args.threads)
    vectors = np.load(args.vectors).astype(np.float32) if args.vectors else clustered(args.n + args.queries, args.dim, 1)
    queries, vectors = vectors[: args.queries], vectors[args.queries :]
    result = {"machine": platform.processor() or platform.machine(), "threads": args.threads, "rows": []}
    if args.encoder_texts:
        result["encoder"] = encoder_throughput(args.encoder_texts, args.threads)
        print(f"encoder: {result['encoder']['texts_per_s']} texts/s ({args.threads} threads)")
    for kind in ([] if args.skip_flat else ["flat"]) + ["hnsw"]:
        result["rows"].extend(measure(vectors, queries, kind, args.ef))
    header = ("kind", "n", "ef_search", "filter", "build_s", "bytes_per_item", "p50_ms", "p99_ms", "recall@10")
    print(" | ".join(f"{h:>14}" for h in header))
    for row in result["rows"]:
        print(" | ".join(f"{'' if row[h] is None else row[h]!s:>14}" for h in header))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
