"""Versions of the matching index on disk: ``<home>/index/<UTC version>/`` and a ``CURRENT`` pointer.

A version directory holds ``candidates/`` (the profiles' ``HybridRetriever``), ``opportunities/`` (open
projects and catalogue entries, for the reverse direction), optionally ``reranker/`` (LambdaRank), and
``card.json``. A version is written under a temporary name, renamed into place, and only then does
``CURRENT`` move (write a temporary file, ``os.replace``): a reader sees the old version or the new
one, never half of one, and a serving version is never overwritten.

``tombstones.log`` (beside ``CURRENT``) lists profiles deleted since a build — ``<unix seconds> <id>``
per line, appended by every worker — so a restart or another worker does not resurrect a deleted
person before the next build reads the database again.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from models.errors import ArtifactIncompatible, NotFound
from models.matching.encoder import Encoder
from models.matching.retriever import HybridRetriever
from models.matching.scoring import LambdaRankReranker
from models.matching.taxonomy_channel import OccupationMatcher

FORMAT = 1
POINTER = "CURRENT"
TOMBSTONES = "tombstones.log"
CANDIDATES, OPPORTUNITIES, RERANKER = "candidates", "opportunities", "reranker"
TOMBSTONE_SLACK_S = 60.0  # a deletion this close before a build's database read may still be in it


def version_name(now: datetime | None = None) -> str:
    """``2026-11-25T10-00-00Z``: sortable, safe in paths, UTC."""
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H-%M-%SZ")


def current_version(index_dir: Path) -> str | None:
    """The name ``CURRENT`` points to, or None when no index was ever published."""
    try:
        name = (Path(index_dir) / POINTER).read_text().strip()
    except FileNotFoundError:
        return None
    return name or None


def publish(index_dir: Path, write: Callable[[Path], dict], keep: int = 3) -> Path:
    """Write a new version with ``write(tmp_dir) -> card`` and point ``CURRENT`` at it atomically.

    The version name is the UTC time (suffixed if that name exists: never overwrite). Versions beyond
    the newest ``keep`` are removed, but never the one ``CURRENT`` pointed to before (it may be serving).
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    serving = current_version(index_dir)
    name = version_name()
    n = 1
    while (index_dir / name).exists():
        n += 1
        name = f"{version_name()}-{n}"
    tmp = index_dir / f".tmp-{name}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        card = write(tmp)
        card = {"format": FORMAT, "version": name, **card}
        (tmp / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False))
        os.replace(tmp, index_dir / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    pointer = index_dir / f".{POINTER}.{os.getpid()}.tmp"
    pointer.write_text(name)
    os.replace(pointer, index_dir / POINTER)
    versions = sorted(p.name for p in index_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in versions[: max(0, len(versions) - keep)]:
        if old not in (name, serving):
            shutil.rmtree(index_dir / old, ignore_errors=True)
    return index_dir / name


def read_card(version_dir: Path) -> dict:
    path = Path(version_dir) / "card.json"
    if not path.exists():
        raise NotFound(f"no matching index card in {version_dir}", field="index")
    card = json.loads(path.read_text())
    if card.get("format") != FORMAT:
        raise ArtifactIncompatible(
            f"matching index {version_dir} has format {card.get('format')}; this code reads format "
            f"{FORMAT}: rebuild it with `talentcluster match build-index`"
        )
    return card


@dataclass
class MatchingIndex:
    """One loaded version: the candidates (profiles) and the opportunities (projects, catalogue entries)."""

    version: str
    path: Path
    card: dict
    candidates: HybridRetriever
    opportunities: HybridRetriever

    @classmethod
    def load(
        cls,
        version_dir: Path,
        encoder: Encoder,
        matcher: OccupationMatcher | None,
        zone_districts: dict[str, str] | None = None,
    ) -> MatchingIndex:
        """Load a version read-only, with its re-ranker when it has one; refuse a mismatched card."""
        version_dir = Path(version_dir)
        card = read_card(version_dir)
        reranker = None
        if (version_dir / RERANKER / "card.json").exists():
            reranker = LambdaRankReranker.load(version_dir / RERANKER)
        options = {"zone_districts": zone_districts}
        candidates = HybridRetriever.load(
            version_dir / CANDIDATES, encoder, matcher, reranker=reranker, **options
        )
        opportunities = HybridRetriever.load(version_dir / OPPORTUNITIES, encoder, matcher, **options)
        return cls(version_dir.name, version_dir, card, candidates, opportunities)

    def warm(self) -> None:
        """Build the lexical and taxonomy structures now, not on the first request."""
        for retriever in (self.candidates, self.opportunities):
            retriever.warm()


def append_tombstones(index_dir: Path, ids: Iterable[int], now: float | None = None) -> None:
    """Record deleted profile ids (one short ``O_APPEND`` write: safe across worker processes)."""
    stamp = time.time() if now is None else now
    lines = "".join(f"{stamp:.3f} {int(i)}\n" for i in ids)
    if not lines:
        return
    Path(index_dir).mkdir(parents=True, exist_ok=True)
    with open(Path(index_dir) / TOMBSTONES, "a", encoding="ascii") as handle:
        handle.write(lines)


def read_tombstones(index_dir: Path, since: float | None = None) -> set[int]:
    """Profile ids deleted at or after ``since`` (less the slack), all of them without ``since``."""
    path = Path(index_dir) / TOMBSTONES
    if not path.exists():
        return set()
    out = set()
    cutoff = None if since is None else since - TOMBSTONE_SLACK_S
    for line in path.read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) != 2:
            continue  # a line cut short by a crash
        stamp, profile_id = float(parts[0]), int(parts[1])
        if cutoff is None or stamp >= cutoff:
            out.add(profile_id)
    return out


def link_copy(source: Path, target: Path) -> None:
    """Copy a version's files as hard links (cheap; versions are never modified in place)."""

    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, dirs_exist_ok=True)
