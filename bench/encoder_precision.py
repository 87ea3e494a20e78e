"""Encoder precision: float32 against bfloat16 autocast (and, for the record, int8 dynamic quantisation)
on simulated texts — latency of one query text on one thread, batch throughput on two, and how far the
vectors move (cosine to the float32 vector).

    .venv/bin/talentcluster data simulate --seed 1 --no-load --out var/sim/s1-5k --profiles 5000
    HF_HUB_OFFLINE=1 .venv/bin/python bench/encoder_precision.py --sim var/sim/s1-5k \
        --out var/bench/encoder-precision.json

Query texts are the simulated projects' title + description (the text a candidates query embeds);
batch texts are profile documents as the index job embeds them. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from encode_profiles import profile_texts  # noqa: E402

from models.matching.encoder import Encoder, native_bfloat16  # noqa: E402


def one_by_one(encoder: Encoder, texts: list[str]) -> tuple[np.ndarray, list[float]]:
    """Each text alone (a query), after a warm-up pass over the same lengths; cache bypassed."""
    for text in texts[:20]:
        encoder._encode_uncached([text])
    times, vectors = [], []
    for text in texts:
        started = time.perf_counter()
        vectors.append(encoder._encode_uncached([text])[0])
        times.append((time.perf_counter() - started) * 1000)
    return np.array(vectors), times


def int8_encoder(per_channel: bool) -> Encoder:
    import torch
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig

    encoder = Encoder(precision="float32").load()
    qconfig = per_channel_dynamic_qconfig if per_channel else default_dynamic_qconfig
    encoder._model = torch.ao.quantization.quantize_dynamic(
        encoder._model, {torch.nn.Linear: qconfig}, dtype=torch.qint8
    )
    return encoder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", type=Path, required=True, help="a `talentcluster data simulate` output")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--batch-texts", type=int, default=1000)
    parser.add_argument("--skip-int8", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("var/bench/encoder-precision.json"))
    args = parser.parse_args()

    import pandas as pd
    import torch

    projects = pd.read_parquet(args.sim / "projects.parquet").head(args.queries)
    queries = (projects["title"] + "\n" + projects["description"]).tolist()
    part = sorted((args.sim / "profiles").glob("*.parquet"))[0]
    batch = profile_texts(part)[: args.batch_texts]
    rows, reference, reference_batch = [], None, None
    variants = ["float32", "bfloat16"] + ([] if args.skip_int8 else ["int8", "int8-per-channel"])
    for variant in variants:
        torch.set_num_threads(1)
        if variant.startswith("int8"):
            encoder = int8_encoder(per_channel=variant.endswith("channel"))
        else:
            encoder = Encoder(precision=variant).load()
        vectors, times = one_by_one(encoder, queries)
        torch.set_num_threads(2)
        started = time.perf_counter()
        batch_vectors = encoder._encode_uncached(batch)
        throughput = len(batch) / (time.perf_counter() - started)
        if reference is None:
            reference, reference_batch = vectors, batch_vectors
        cos = np.concatenate([(vectors * reference).sum(1), (batch_vectors * reference_batch).sum(1)])
        rows.append(
            {
                "precision": variant,
                "query_p50_ms": float(np.percentile(times, 50)),
                "query_p99_ms": float(np.percentile(times, 99)),
                "batch_texts_per_s_2_threads": throughput,
                "cosine_to_float32_min": float(cos.min()),
                "cosine_to_float32_mean": float(cos.mean()),
            }
        )
        r = rows[-1]
        print(
            f"{variant:<18} query p50 {r['query_p50_ms']:6.1f} ms  p99 {r['query_p99_ms']:6.1f} ms  "
            f"batch {throughput:6.1f} texts/s  cosine min {r['cosine_to_float32_min']:.5f} "
            f"mean {r['cosine_to_float32_mean']:.5f}",
            flush=True,
        )
    report = {
        "queries": len(queries),
        "batch_texts": len(batch),
        "native_bfloat16": native_bfloat16(),
        "loadavg_1m": os.getloadavg()[0],
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "torch": torch.__version__},
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
