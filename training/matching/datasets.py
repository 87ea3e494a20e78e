"""Evaluation sets in BEIR layout, each split into ``validation`` and ``test`` so tuning never sees test.

* ``aliases``: one document per occupation (its canonical names and key skills, both languages);
  one query per alias (zh or en); the relevant document is the alias's occupation. Occupations are
  split validation/test with a fixed seed, so an occupation's aliases are all on one side. Every query
  alias is written to ``taxonomy_holdout.json``: the evaluation's taxonomy channel must not look up
  the answer in the very table the queries come from.
* ``simulator``: queries are simulated projects, documents simulated profiles, graded relevance the
  hidden true fit (``truth/fit.parquet``, grades 1–3); projects are split validation/test.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from models.errors import NotFound
from models.matching.text import normalise
from models.taxonomy import Taxonomy

KINDS = ("aliases", "simulator")


def _write(
    out: Path,
    corpus: list[dict],
    queries: list[dict],
    qrels: dict[str, list[tuple[str, str, int]]],
    extra: dict[str, object],
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "qrels").mkdir(exist_ok=True)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for row in corpus:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out / "queries.jsonl", "w", encoding="utf-8") as handle:
        for row in queries:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    for split, rows in qrels.items():
        with open(out / "qrels" / f"{split}.tsv", "w", encoding="utf-8") as handle:
            handle.write("query-id\tcorpus-id\tscore\n")
            for q, d, g in rows:
                handle.write(f"{q}\t{d}\t{g}\n")
    for name, value in extra.items():
        (out / name).write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")


def occupation_document(o) -> dict:
    """The document that stands for an occupation: canonical names and key skills, no aliases."""
    return {
        "_id": o.code,
        "title": f"{o.name_zh} {o.name_en}",
        "text": (
            f"{o.name_en}. Key skills: {', '.join(o.skills_en)}. "
            f"{o.name_zh}。核心技能：{'、'.join(o.skills_zh)}。"
        ),
    }


def build_alias_set(taxonomy: Taxonomy, out: str | Path, *, seed: int, validation_share: float = 0.5) -> dict:
    out = Path(out)
    codes = sorted(taxonomy.occupations)
    rng = np.random.default_rng(seed)
    shuffled = [codes[i] for i in rng.permutation(len(codes))]
    n_val = int(round(len(codes) * validation_share))
    split_of = {c: ("validation" if i < n_val else "test") for i, c in enumerate(shuffled)}
    canonical = {normalise(t) for o in taxonomy.occupations.values() for t in (o.name_zh, o.name_en)}
    by_text: dict[tuple[str, str], set[str]] = defaultdict(set)
    surface: dict[tuple[str, str], str] = {}
    for o in taxonomy.occupations.values():
        for lang, aliases in (("zh", o.aliases_zh), ("en", o.aliases_en)):
            for alias in aliases:
                key = (normalise(alias), lang)
                if key[0] and key[0] not in canonical:  # a canonical name is no held-out query
                    by_text[key].add(o.code)
                    surface.setdefault(key, alias)
    queries, qrels = [], {"validation": [], "test": []}
    skipped = 0
    for n, key in enumerate(sorted(by_text)):
        relevant = sorted(by_text[key])
        splits = {split_of[c] for c in relevant}
        if len(splits) > 1:  # an alias shared across the split would leak: leave it out
            skipped += 1
            continue
        qid = f"q{n:05d}"
        queries.append({"_id": qid, "text": surface[key], "metadata": {"lang": key[1], "codes": relevant}})
        qrels[splits.pop()].extend((qid, c, 1) for c in relevant)
    corpus = [occupation_document(taxonomy.occupations[c]) for c in codes]
    holdout = sorted({q["text"] for q in queries})
    _write(out, corpus, queries, qrels, {"taxonomy_holdout.json": holdout})
    langs = defaultdict(int)
    for q in queries:
        langs[q["metadata"]["lang"]] += 1
    return {
        "kind": "aliases",
        "out": str(out),
        "documents": len(corpus),
        "queries": len(queries),
        "by_language": dict(langs),
        "validation_occupations": n_val,
        "test_occupations": len(codes) - n_val,
        "skipped_shared_aliases": skipped,
        "seed": seed,
    }


def _find(sim_dir: Path, name: str) -> Path:
    hits = sorted(sim_dir.rglob(name))
    if not hits:
        raise NotFound(f"no {name} under {sim_dir}: run the simulator first", field="sim")
    return hits[0]


def build_simulator_set(
    sim_dir: str | Path,
    out: str | Path,
    *,
    seed: int,
    validation_share: float = 0.5,
    max_projects: int = 400,
    matchable_only: bool = True,
) -> dict:
    """Projects → profiles with the hidden fit as graded relevance (column names as the simulator's
    ``PROJECT_COLUMNS``, ``PROFILE_COLUMNS`` and ``FIT_COLUMNS``)."""
    import pandas as pd

    sim_dir, out = Path(sim_dir), Path(out)
    projects = pd.read_parquet(_find(sim_dir, "projects.parquet"))
    profiles = pd.read_parquet(_find(sim_dir, "profiles.parquet"))
    fit = pd.read_parquet(_find(sim_dir, "fit.parquet"))
    if matchable_only and "profile_matchable" in fit:
        fit = fit[fit["profile_matchable"].astype(bool)]
    rng = np.random.default_rng(seed)
    refs = projects["external_ref"].astype(str).tolist()
    refs = [refs[i] for i in rng.permutation(len(refs))][:max_projects]
    n_val = int(round(len(refs) * validation_share))
    split_of = {r: ("validation" if i < n_val else "test") for i, r in enumerate(refs)}

    def text(row, columns) -> str:
        return " ".join(str(row[c]) for c in columns if c in row and isinstance(row[c], str) and row[c])

    queries = [
        {"_id": str(r["external_ref"]), "text": text(r, ("title", "description", "required_skills"))}
        for _, r in projects[projects["external_ref"].astype(str).isin(split_of)].iterrows()
    ]
    corpus = [
        {"_id": str(r["external_ref"]), "title": text(r, ("titles",)), "text": text(r, ("summary", "skills"))}
        for _, r in profiles.iterrows()
    ]
    qrels: dict[str, list[tuple[str, str, int]]] = {"validation": [], "test": []}
    for _, r in fit[fit["project_external_ref"].astype(str).isin(split_of)].iterrows():
        q = str(r["project_external_ref"])
        qrels[split_of[q]].append((q, str(r["profile_external_ref"]), int(r["grade"])))
    _write(out, corpus, queries, qrels, {})
    return {
        "kind": "simulator",
        "out": str(out),
        "documents": len(corpus),
        "queries": len(queries),
        "validation_projects": n_val,
        "test_projects": len(refs) - n_val,
        "seed": seed,
    }
