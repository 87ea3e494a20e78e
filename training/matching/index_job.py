"""`talentcluster match build-index`: read the database, embed, index, publish a new index version.

Reads the profiles some search may match and the open projects (and the newest published catalogue's
entries), builds two ``HybridRetriever``s — ``candidates`` (profiles) and ``opportunities`` (projects and
catalogue entries, for profile → opportunities) — with the fusion rules tuned on the simulator
validation split, and publishes them as ``<home>/index/<UTC version>/`` with a card, moving ``CURRENT``
atomically (``models.matching.index_store.publish``); the serving version is never overwritten.

Embeddings go through the encoder's on-disk cache (``<home>/cache/embeddings``), keyed by model and
text: a rebuild embeds only the profiles whose text changed.

``DEFAULT_FUSION`` is what ``talentcluster match evaluate --dataset <simulator set> --fusion-out F``
fitted on the simulator set's validation split (seed 7, 125 validation projects; validation nDCG@10
0.607; on the test split fused 0.624 against 0.602 for the best single channel, lexical). The dense
channel gets weight 0 in fusion — MiniLM knows no Chinese, and on this data BM25 and the taxonomy
carry the ranking — but dense similarity still counts in every candidate's score (``scoring``).
Pass ``--fusion F`` to use rules fitted on your own validation data instead.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from models.match_corpus import read_corpus
from models.matching.encoder import Encoder
from models.matching.filters import Document
from models.matching.fusion import Fusion
from models.matching.index_store import CANDIDATES, OPPORTUNITIES, current_version, publish
from models.matching.retriever import HybridRetriever
from models.matching.taxonomy_channel import OccupationMatcher
from models.taxonomy import Taxonomy

DEFAULT_FUSION = {
    "format": 1,
    "default": {"method": "score", "k": 60, "weights": {"dense": 0.0, "lexical": 1.0, "taxonomy": 0.2}},
    "by_language": {
        "en": {"method": "rrf", "k": 20, "weights": {"dense": 0.0, "lexical": 1.0, "taxonomy": 0.35}},
        "zh": {"method": "score", "k": 60, "weights": {"dense": 0.0, "lexical": 1.0, "taxonomy": 0.2}},
    },
}
DEFAULT_FUSION_SOURCE = "simulator validation split (seed 7), built into training/matching/index_job.py"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class BuildReport:
    version: str
    path: str
    profiles: int
    profiles_without_consent: int
    profiles_without_text: int
    projects: int
    catalogue_entries: int
    texts_embedded: int
    embedding_cache_hits: int
    seconds: dict[str, float]


def fusion_from(path: str | Path | None) -> tuple[Fusion, str]:
    if path is None:
        return Fusion.from_json(DEFAULT_FUSION), DEFAULT_FUSION_SOURCE
    return Fusion.load(path), str(path)


CACHE_SAVE_EVERY_S = 60.0  # an interrupted build keeps the embeddings made so far


def _index(
    retriever: HybridRetriever, docs: list[Document], stage: str, batch: int, progress: Progress | None
) -> None:
    saved = time.monotonic()
    for start in range(0, len(docs), batch):
        retriever.upsert(docs[start : start + batch])
        if progress:
            progress(stage, min(start + batch, len(docs)), len(docs))
        if time.monotonic() - saved > CACHE_SAVE_EVERY_S:
            retriever.encoder.save_cache()
            saved = time.monotonic()
    if progress and not docs:
        progress(stage, 0, 0)


def _versions() -> dict[str, str]:
    import faiss
    import numpy
    import sentence_transformers
    import torch

    return {
        "faiss": faiss.__version__,
        "numpy": numpy.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
    }


def taxonomy_hash(reference_dir: Path) -> str:
    """The reference data the taxonomy matcher is built from, hashed (the code cache is valid only
    for the same taxonomy)."""
    digest = hashlib.sha256()
    for path in sorted(Path(reference_dir).glob("*.csv")):
        digest.update(path.name.encode() + b"\x00" + path.read_bytes())
    return digest.hexdigest()


def previous_codes(index_dir: Path, taxonomy_sha256: str) -> dict[str, dict[str, float]]:
    """Taxonomy codes of the documents of the current version, if it was built with this taxonomy."""
    name = current_version(index_dir)
    if name is None:
        return {}
    try:
        card = json.loads((index_dir / name / "card.json").read_text())
    except (OSError, ValueError):
        return {}
    if card.get("taxonomy_sha256") != taxonomy_sha256:
        return {}
    out: dict[str, dict[str, float]] = {}
    for part in (CANDIDATES, OPPORTUNITIES):
        path = index_dir / name / part / "documents.jsonl"
        if not path.exists():
            continue
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                out[HybridRetriever.codes_key(Document.from_json(row))] = row.get("_codes", {})
    return out


def _hash(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in (CANDIDATES, OPPORTUNITIES):
        digest.update((directory / name / "documents.jsonl").read_bytes())
    return digest.hexdigest()


def build_index(
    factory: sessionmaker[Session],
    taxonomy: Taxonomy,
    encoder: Encoder,
    index_dir: str | Path,
    *,
    fusion_path: str | Path | None = None,
    batch_size: int = 512,
    progress: Progress | None = None,
    reference_dir: str | Path | None = None,
) -> BuildReport:
    """Build and publish a new index version from the database; see the module docstring.

    ``reference_dir`` (the taxonomy's CSVs) lets a rebuild reuse the taxonomy codes of unchanged
    documents from the current version when the taxonomy is the same."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    fusion, fusion_source = fusion_from(fusion_path)
    db_read_at = time.time()
    with factory() as session:
        corpus = read_corpus(session, taxonomy)
    profiles = [d for d in corpus.profiles if d.full_text.strip()]
    opportunities = [d for d in corpus.opportunities if d.full_text.strip()]
    seconds["read"] = time.perf_counter() - started

    tick = time.perf_counter()
    encoder.load()
    matcher = OccupationMatcher(taxonomy.occupations.values())
    taxonomy_sha256 = taxonomy_hash(reference_dir) if reference_dir is not None else ""
    code_cache = previous_codes(Path(index_dir), taxonomy_sha256) if taxonomy_sha256 else {}
    districts = {code: z.district_code for code, z in taxonomy.zones.items()}
    seconds["load_models"] = time.perf_counter() - tick
    hits_before, texts_before = encoder.stats.cache_hits, encoder.stats.texts

    tick = time.perf_counter()
    options = {"fusion": fusion, "zone_districts": districts, "code_cache": code_cache}
    candidates = HybridRetriever(encoder, matcher, **options)
    _index(candidates, profiles, "profiles", batch_size, progress)
    seconds["index_profiles"] = time.perf_counter() - tick
    tick = time.perf_counter()
    reverse = HybridRetriever(encoder, matcher, **options)
    _index(reverse, opportunities, "opportunities", batch_size, progress)
    seconds["index_opportunities"] = time.perf_counter() - tick

    tick = time.perf_counter()
    encoder.save_cache()
    seconds["save_cache"] = time.perf_counter() - tick
    texts = encoder.stats.texts - texts_before
    hits = encoder.stats.cache_hits - hits_before

    def write(tmp: Path) -> dict:
        tick = time.perf_counter()
        candidates.save(tmp / CANDIDATES)
        reverse.save(tmp / OPPORTUNITIES)
        seconds["save"] = time.perf_counter() - tick
        seconds["total"] = time.perf_counter() - started
        return {
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "db_read_at": db_read_at,
            "model_id": encoder.model_id_,
            "embedding_precision": getattr(encoder, "precision_", None),
            "taxonomy_sha256": taxonomy_sha256,
            "fusion": fusion.to_json(),
            "fusion_source": fusion_source,
            "counts": {
                "profiles": len(profiles),
                "profiles_without_consent": corpus.profiles_without_consent,
                "profiles_without_text": len(corpus.profiles) - len(profiles),
                "projects": corpus.projects,
                "catalogue_entries": corpus.catalogue_entries,
                "catalogue_edition": corpus.catalogue_edition,
            },
            "embedding": {"texts": texts, "cache_hits": hits},
            "taxonomy_codes_reused": sum(
                1 for d in profiles + opportunities if HybridRetriever.codes_key(d) in code_cache
            ),
            "scorer": "hand-weighted (models/matching/scoring.py DEFAULT_WEIGHTS)",
            "data_sha256": _hash(tmp),
            "seconds": {k: round(v, 2) for k, v in seconds.items()},
            "versions": _versions(),
        }

    path = publish(Path(index_dir), write)
    card = json.loads((path / "card.json").read_text())
    return BuildReport(
        version=path.name,
        path=str(path),
        profiles=len(profiles),
        profiles_without_consent=corpus.profiles_without_consent,
        profiles_without_text=len(corpus.profiles) - len(profiles),
        projects=corpus.projects,
        catalogue_entries=corpus.catalogue_entries,
        texts_embedded=texts - hits,
        embedding_cache_hits=hits,
        seconds=card["seconds"],
    )


def report_json(report: BuildReport) -> str:
    return json.dumps(asdict(report), indent=2)
