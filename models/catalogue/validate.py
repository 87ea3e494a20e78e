"""Checks an edition must pass before review: the JSON Schema, and the rules a schema cannot say."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from models.catalogue.build import iter_entries
from models.errors import InvalidInput

SCHEMA_PATH = Path(__file__).with_name("catalogue.schema.json")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def problems(doc: Mapping) -> list[str]:
    """Every problem found, as ``path: message`` lines; empty when the document is publishable."""
    from jsonschema import Draft202012Validator

    out = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(Draft202012Validator(schema()).iter_errors(doc), key=lambda e: list(map(str, e.path)))
    ]
    seen = set()
    for e in iter_entries(doc):
        key = (e["chain"]["code"], e["occupation"]["code"])
        where = f"{key[0]}/{key[1]}"
        if key in seen:
            out.append(f"{where}: listed twice in one chain")
        seen.add(key)
        for lang in ("zh", "en"):
            if not e["occupation"].get(f"name_{lang}"):
                out.append(f"{where}: no {lang} name")
            if not any(r.get(lang) for r in e.get("reasons", [])):
                out.append(f"{where}: no {lang} reason")
    for chain in doc.get("chains", []):
        ranks = [e["rank"] for e in chain["entries"]]
        if ranks != list(range(1, len(ranks) + 1)):
            out.append(f"{chain['code']}: ranks are not 1..{len(ranks)}")
    return out


def check(doc: Mapping) -> None:
    """Raise InvalidInput listing the first problems when the document is not publishable."""
    found = problems(doc)
    if found:
        shown = "; ".join(found[:10])
        raise InvalidInput(f"the catalogue fails {len(found)} check(s): {shown}", field="catalogue")
