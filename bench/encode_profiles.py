"""Embed simulated profiles exactly as the index job does, part by part, resumable: the vectors for
``bench/match_bench.py --vectors`` and the embedding cache for an index build over the same profiles.

    HF_HUB_OFFLINE=1 nice -n 15 .venv/bin/python bench/encode_profiles.py \
        --sim var/sim/seed1-1m --out var/bench/profiles-seed1 --limit 1000000

Every ``--chunk`` profiles of a parquet part become ``<out>/part-NNNNN-RRRRRR.npy`` (float32, one row
per profile, in file order; RRRRRR the first row) once encoded, so an interrupted run resumes at the
next chunk; ``load_vectors`` concatenates them in profile order. A profile's text is its matching
``Document.full_text`` (``models.matching.documents.profile_document``), the text the index job embeds.
Identical texts are embedded once. ``--cache DIR`` also writes the first ``--cache-rows`` vectors into
an encoder cache directory, so ``talentcluster match build-index`` over those profiles embeds nothing
(``--proxy``: stand-ins for the rows not encoded, for latency benchmarks only; see ``fill_cache``).
Progress goes to stdout; ``<out>/progress.json`` holds throughput so far.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from models.matching.documents import profile_document  # noqa: E402
from models.matching.encoder import EmbeddingCache, Encoder, cache_key  # noqa: E402
from models.matching.runtime import configure_threads  # noqa: E402


def _list(value: str | None) -> list[str]:
    # The import's list parsing (training/importing/loader.py): ';'-separated, stripped, no empties.
    return [p.strip() for p in (value or "").split(";") if p.strip()]


def profile_texts(part: Path) -> list[str]:
    import pandas as pd

    frame = pd.read_parquet(
        part,
        columns=[
            "summary",
            "titles",
            "skills",
            "years_experience",
            "talent_level",
            "zone_code",
            "education_level",
            "updated_at",
        ],
    )
    texts = []
    for i, r in enumerate(frame.itertuples(index=False)):
        row = SimpleNamespace(
            id=i,
            summary=r.summary,
            titles=_list(r.titles),
            skills=_list(r.skills),
            zone_code=r.zone_code,
            talent_level=r.talent_level,
            education_level=r.education_level,
            years_experience=r.years_experience,
            updated_at=None,
        )
        texts.append(profile_document(row, ()).full_text)
    return texts


PART_ROWS = 50_000  # the simulator's profile part size


def load_vectors(out: Path, limit: int | None = None, part: str = "part-") -> np.ndarray:
    """The encoded chunks under ``out`` (of one part, or all), in profile order, up to ``limit`` rows."""
    files = sorted(out.glob(f"{part}*-*.npy"))
    arrays, rows = [], 0
    for f in files:
        if limit is not None and rows >= limit:
            break
        arrays.append(np.load(f))
        rows += len(arrays[-1])
    vectors = np.concatenate(arrays) if arrays else np.zeros((0, 384), np.float32)
    return vectors[:limit] if limit is not None else vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sim", type=Path, required=True, help="a `talentcluster data simulate` output")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=1_000_000, help="profiles to embed (whole parts)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--chunk", type=int, default=2_500)
    parser.add_argument("--cache", type=Path, help="encoder cache directory to fill")
    parser.add_argument("--cache-rows", type=int, default=100_000)
    parser.add_argument("--proxy", action="store_true", help="stand-in vectors beyond the encoded rows")
    args = parser.parse_args()
    configure_threads(torch_threads=args.threads, faiss_threads=1)
    args.out.mkdir(parents=True, exist_ok=True)
    encoder = Encoder(batch_size=args.batch_size, max_cache_items=1).load()
    parts = sorted((args.sim / "profiles").glob("part-*.parquet"))
    done_rows = 0
    progress = {"model_id": encoder.model_id_, "chunks": [], "threads": args.threads}
    for part in parts:
        texts = None
        for start in range(0, PART_ROWS, args.chunk):
            if done_rows >= args.limit:
                break
            target = args.out / f"{part.stem}-{start:06d}.npy"
            if target.exists():
                done_rows += len(np.load(target, mmap_mode="r"))
                continue
            texts = texts if texts is not None else profile_texts(part)
            chunk = texts[start : start + args.chunk]
            if not chunk:
                break
            unique = list(dict.fromkeys(chunk))
            tick = time.perf_counter()
            vectors = encoder.encode(unique)
            seconds = time.perf_counter() - tick
            row_of = {t: i for i, t in enumerate(unique)}
            tmp = args.out / f".{target.stem}.tmp.npy"
            np.save(tmp, vectors[[row_of[t] for t in chunk]])
            tmp.replace(target)
            done_rows += len(chunk)
            progress["chunks"].append(
                {
                    "chunk": target.name,
                    "profiles": len(chunk),
                    "unique_texts": len(unique),
                    "seconds": round(seconds, 1),
                    "texts_per_s": round(len(unique) / seconds, 1),
                    "chunked_texts_total": encoder.stats.chunked_texts,
                    "done": done_rows,
                }
            )
            (args.out / "progress.json").write_text(json.dumps(progress, indent=2))
            print(time.strftime("%H:%M:%S"), json.dumps(progress["chunks"][-1]), flush=True)
    if args.cache:
        fill_cache(args, encoder, parts)


def fill_cache(args, encoder: Encoder, parts: list[Path]) -> None:
    """Put the first ``--cache-rows`` profiles' vectors into an encoder cache. With ``--proxy``, the
    profiles not encoded get stand-in vectors (``match_bench.expand`` of the encoded ones), so an index
    over many profiles can be built for a *latency* benchmark without embedding them all: its dense
    vectors are then not the model's for those texts (say so wherever its figures go)."""
    cache = EmbeddingCache(encoder.dim, max_items=args.cache_rows + 1)
    cache.load(args.cache, encoder.model_id_)
    encoded = load_vectors(args.out)
    if args.proxy and len(encoded) < args.cache_rows:
        from match_bench import expand

        encoded = expand(encoded, args.cache_rows, seed=3)
    rows = 0
    for part in parts:
        if rows >= min(args.cache_rows, len(encoded)):
            break
        texts = profile_texts(part)[: min(args.cache_rows, len(encoded)) - rows]
        for text, vector in zip(texts, encoded[rows : rows + len(texts)], strict=True):
            cache.put(cache_key(encoder.model_id_, text), np.array(vector))
        rows += len(texts)
    cache.save(args.cache, encoder.model_id_)
    print(f"wrote {len(cache)} embeddings to the cache {args.cache} ({rows} profiles)")


if __name__ == "__main__":
    main()
