"""Policy programmes (人才专项计划) as a known exogenous input of the forecast.

A bureau announces a programme for one industry chain or one segment of it, with a start month and a
phase-in period; postings in the covered series rise as it ramps up. The calendar is known ahead, so the
forecaster reads it at the target month: ``programme_ramp`` is, per series and month, the sum over the
programmes covering the series of ``clip((month − start + 1) / ramp_months, 0, 1)``. How much a programme
lifts postings is not in the calendar: the model learns it from the earlier programmes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from models.errors import InvalidInput

PROGRAMME_RAMP = "programme_ramp"
COVER_COLUMNS = ("industry", "segment")  # long-frame columns a programme is matched on
FIELDS = ("code", "industry_code", "segment_code", "start_month", "ramp_months")


def load_programmes(path: str | Path) -> tuple[dict, ...]:
    """Read a calendar: ``.json`` (a list of objects) or ``.csv`` with the columns of ``FIELDS``.

    Returns plain dicts (the forecaster's ``programmes`` parameter, saved with its card). Raises
    InvalidInput naming the file, the entry (1-based) and the field of the first bad value.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInput(f"no such programme calendar: {path}", field="programmes")
    try:
        if path.suffix.lower() == ".json":
            rows = json.loads(path.read_text(encoding="utf-8"))
        else:
            rows = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
    except (ValueError, OSError) as exc:
        raise InvalidInput(f"{path}: cannot be read: {exc}", field="programmes") from exc
    if not isinstance(rows, list):
        raise InvalidInput(f"{path}: expected a list of programmes", field="programmes")
    return tuple(check_programme(row, f"{path.name} entry {k}") for k, row in enumerate(rows, start=1))


def check_programme(row: object, where: str = "programme") -> dict:
    """One calendar entry, normalised: ``segment_code`` None for a whole chain, ``ramp_months`` ≥ 1."""
    if not isinstance(row, dict):
        raise InvalidInput(f"{where}: expected an object with {list(FIELDS)}", field="programmes")
    for col in ("code", "industry_code", "start_month", "ramp_months"):
        if str(row.get(col) or "").strip() == "":
            raise InvalidInput(f"{where}: {col} is missing", field=col)
    start = str(row["start_month"]).strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", start):
        raise InvalidInput(f"{where}: start_month must be YYYY-MM, got {start!r}", field="start_month")
    try:
        ramp = int(row["ramp_months"])
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"{where}: ramp_months must be a whole number", field="ramp_months") from exc
    if ramp < 1:
        raise InvalidInput(f"{where}: ramp_months must be at least 1, got {ramp}", field="ramp_months")
    return {
        "code": str(row["code"]).strip(),
        "industry_code": str(row["industry_code"]).strip(),
        "segment_code": str(row.get("segment_code") or "").strip() or None,
        "start_month": start,
        "ramp_months": ramp,
    }


def ramp_matrix(
    programmes: Sequence[dict], industry: np.ndarray, segment: np.ndarray, start: int, n_months: int
) -> np.ndarray:
    """``(n series, n_months)`` phase-in from month index ``start`` (months since 1970-01) on."""
    months = start + np.arange(n_months)
    out = np.zeros((len(industry), n_months))
    for p in programmes:
        covered = segment == p["segment_code"] if p["segment_code"] else industry == p["industry_code"]
        year, month = map(int, p["start_month"].split("-"))
        first = (year - 1970) * 12 + month - 1
        out[covered] += np.clip((months - first + 1) / p["ramp_months"], 0.0, 1.0)
    return out
