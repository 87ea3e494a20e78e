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
from models.matching.text import has_chinese, language, normalise
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


def _read(sim_dir: Path, relative: str):
    """A simulator table: a parquet file, or a directory of ``part-*.parquet`` files concatenated."""
    import pandas as pd

    path = sim_dir / relative
    if path.is_dir():
        parts = sorted(path.glob("part-*.parquet"))
        if parts:
            return pd.concat([pd.read_parquet(x) for x in parts], ignore_index=True)
    elif path.with_suffix(".parquet").exists():
        return pd.read_parquet(path.with_suffix(".parquet"))
    raise NotFound(
        f"no {relative}.parquet or {relative}/part-*.parquet under {sim_dir}: run "
        "`talentcluster data simulate --no-load --out DIR` first",
        field="sim",
    )


def _joined(value) -> str:
    """A simulator cell as text: ``;``-separated lists become comma lists, missing values nothing."""
    if not isinstance(value, str) or not value.strip():
        return ""
    items = [v.strip() for v in value.split(";") if v.strip()]
    return ("、" if any(has_chinese(v) for v in items) else ", ").join(items)


def project_query(row) -> str:
    """What an enterprise writes: the project's title, description and required skills."""
    return "\n".join(
        x for x in (_joined(row.get(c)) for c in ("title", "description", "required_skills")) if x
    )


def profile_document(row) -> dict:
    """What a person writes: titles as the title; summary and skills as the text (no hidden fields)."""
    text = "\n".join(x for x in (_joined(row.get(c)) for c in ("summary", "skills")) if x)
    return {"_id": str(row["external_ref"]), "title": _joined(row.get("titles")), "text": text}


def build_simulator_set(
    sim_dir: str | Path,
    out: str | Path,
    *,
    seed: int,
    validation_share: float = 0.5,
    max_projects: int = 400,
    matchable_only: bool = True,
) -> dict:
    """Projects → profiles with the hidden fit as graded relevance (simulator columns: ``PROJECT_COLUMNS``,
    ``PROFILE_COLUMNS``, ``FIT_COLUMNS``).

    Files read: ``projects.parquet``, ``profiles/part-*.parquet`` (the public profiles, never
    ``truth/profiles``) and ``truth/fit.parquet``. With ``matchable_only`` the corpus holds only profiles
    that consented to matching (``pool:matching``), as the product would search, and qrels only their
    fits. Projects are split validation/test by a seeded permutation within each query language, so
    both splits hold Chinese and English projects in the same shares.
    """
    sim_dir, out = Path(sim_dir), Path(out)
    projects = _read(sim_dir, "projects")
    profiles = _read(sim_dir, "profiles")
    fit = _read(sim_dir, "truth/fit")
    if matchable_only:
        consented = profiles["consent_scopes"].fillna("").str.split(";").map(lambda s: "pool:matching" in s)
        profiles = profiles[consented]
        if "profile_matchable" in fit:
            fit = fit[fit["profile_matchable"].astype(bool)]
        fit = fit[fit["profile_external_ref"].isin(set(profiles["external_ref"]))]
    projects = projects.sort_values("external_ref").reset_index(drop=True)
    texts = {str(r["external_ref"]): project_query(r) for _, r in projects.iterrows()}
    rng = np.random.default_rng(seed)
    refs = list(texts)
    refs = [refs[i] for i in rng.permutation(len(refs))][:max_projects]
    split_of: dict[str, str] = {}
    for lang in ("zh", "en"):
        group = [r for r in refs if language(texts[r]) == lang]
        n_val = int(round(len(group) * validation_share))
        split_of.update({r: ("validation" if i < n_val else "test") for i, r in enumerate(group)})
    queries = [
        {"_id": r, "text": texts[r], "metadata": {"lang": language(texts[r])}} for r in refs if texts[r]
    ]
    corpus = [profile_document(r) for _, r in profiles.iterrows()]
    qrels: dict[str, list[tuple[str, str, int]]] = {"validation": [], "test": []}
    for q, d, g in fit[["project_external_ref", "profile_external_ref", "grade"]].itertuples(index=False):
        if str(q) in split_of and int(g) > 0:
            qrels[split_of[str(q)]].append((str(q), str(d), int(g)))
    _write(out, corpus, queries, qrels, {})
    by_split = {s: sorted({q for q, _, _ in rows}) for s, rows in qrels.items()}
    return {
        "kind": "simulator",
        "out": str(out),
        "documents": len(corpus),
        "queries": len(queries),
        "by_language": {
            lang: sum(1 for q in queries if q["metadata"]["lang"] == lang) for lang in ("zh", "en")
        },
        "validation_projects": len(by_split["validation"]),
        "test_projects": len(by_split["test"]),
        "qrels": {s: len(rows) for s, rows in qrels.items()},
        "matchable_only": matchable_only,
        "seed": seed,
    }
