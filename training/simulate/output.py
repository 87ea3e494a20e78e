"""Deterministic files: Parquet without timestamps, sorted JSON, SHA-256 of everything written."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

GENERATOR = "talentcluster-simulate/1"


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Same frame → same bytes (fixed compression, no index, no creation time in the metadata)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(
        table,
        path,
        compression="zstd",
        compression_level=3,
        row_group_size=250_000,
        write_statistics=True,
        store_schema=True,
    )


def write_json(data, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for piece in iter(lambda: handle.read(1 << 20), b""):
            digest.update(piece)
    return digest.hexdigest()


@dataclass
class SimulationManifest:
    """What a simulation wrote: seed, window, counts, and the SHA-256 and size of every file."""

    seed: int
    start: str
    cutoff: str
    truth_end: str
    counts: dict[str, int]
    files: dict[str, dict[str, object]] = field(default_factory=dict)  # relative path → {sha256, bytes}
    generator: str = GENERATOR

    def record(self, out_dir: Path, path: Path) -> None:
        self.files[path.relative_to(out_dir).as_posix()] = {
            "sha256": sha256(path),
            "bytes": path.stat().st_size,
        }

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def load(cls, path: str | Path) -> SimulationManifest:
        return cls(**json.loads(Path(path).read_text(encoding="utf-8")))
