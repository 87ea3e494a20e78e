"""Reading a dataset in BEIR layout: ``corpus.jsonl`` (_id, title, text), ``queries.jsonl`` (_id, text),
``qrels/<split>.tsv`` (header ``query-id corpus-id score``)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from models.errors import ImportRejected, NotFound


@dataclass
class BeirDataset:
    corpus: dict[str, tuple[str, str]]  # id → (title, text)
    queries: dict[str, str]
    qrels: dict[str, dict[str, dict[str, int]]]  # split → query id → doc id → grade
    holdout_titles: list[str]  # titles the taxonomy channel must not know (alias sets)

    def splits(self) -> list[str]:
        return sorted(self.qrels)


def _jsonl(path: Path, required: tuple[str, ...]) -> list[dict]:
    if not path.exists():
        raise NotFound(
            f"{path} is missing (BEIR layout: corpus.jsonl, queries.jsonl, qrels/test.tsv)", field="dataset"
        )
    rows, problems = [], []
    with open(path, encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append((line_no, "json", str(exc)))
                continue
            missing = [k for k in required if k not in row]
            if missing:
                problems.append((line_no, missing[0], "missing"))
                continue
            rows.append(row)
    if problems:
        raise ImportRejected(str(path), problems)
    return rows


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader, None)
        if header is None or [h.strip() for h in header[:3]] != ["query-id", "corpus-id", "score"]:
            raise ImportRejected(str(path), [(1, "header", "expected query-id, corpus-id, score")])
        for line_no, row in enumerate(reader, start=2):
            if not row:
                continue
            try:
                out.setdefault(row[0], {})[row[1]] = int(float(row[2]))
            except (IndexError, ValueError):
                problems.append((line_no, "score", f"bad row {row!r}"))
    if problems:
        raise ImportRejected(str(path), problems)
    return out


def load_beir(directory: str | Path) -> BeirDataset:
    directory = Path(directory)
    corpus = {
        str(r["_id"]): (str(r.get("title") or ""), str(r.get("text") or ""))
        for r in _jsonl(directory / "corpus.jsonl", ("_id",))
    }
    queries = {str(r["_id"]): str(r["text"]) for r in _jsonl(directory / "queries.jsonl", ("_id", "text"))}
    qrels = {p.stem: _qrels(p) for p in sorted((directory / "qrels").glob("*.tsv"))}
    if "test" not in qrels:
        raise NotFound(f"{directory / 'qrels' / 'test.tsv'} is missing", field="dataset")
    holdout_path = directory / "taxonomy_holdout.json"
    holdout = json.loads(holdout_path.read_text(encoding="utf-8")) if holdout_path.exists() else []
    return BeirDataset(corpus, queries, qrels, holdout)
