"""Policy programmes (人才专项计划) as a known input of the forecast.

A bureau announces a programme for one industry chain or one segment of it, with a start month and a
phase-in period; postings in the covered series rise as it ramps up. Once announced, its schedule is
known ahead, so the forecaster reads it at the target month: ``programme_ramp`` is, for a series, an
origin and a target month, the sum over the programmes covering the series **and announced by the
origin** of ``clip((month − start + 1) / ramp_months, 0, 1)`` — a backtest sees only what was announced
at its cut-off (PITFALLS: exogenous leakage). ``announced_month`` defaults to the start month. How much a
programme lifts postings is not in the calendar: the model learns it from the earlier programmes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.errors import InvalidInput

PROGRAMME_RAMP = "programme_ramp"
COVER_COLUMNS = ("industry", "segment")  # long-frame columns a programme is matched on
FIELDS = ("code", "industry_code", "segment_code", "start_month", "ramp_months", "announced_month")


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
    start = _month(row, "start_month", where)
    announced = (
        _month(row, "announced_month", where) if str(row.get("announced_month") or "").strip() else start
    )
    if announced > start:
        raise InvalidInput(
            f"{where}: announced_month {announced} is after start_month {start}", field="announced_month"
        )
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
        "announced_month": announced,
    }


def _month(row: dict, col: str, where: str) -> str:
    value = str(row[col]).strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise InvalidInput(f"{where}: {col} must be YYYY-MM, got {value!r}", field=col)
    return value


def _index(month: str) -> int:
    year, m = map(int, month.split("-"))
    return (year - 1970) * 12 + m - 1


@dataclass(frozen=True)
class ProgrammeInputs:
    """The calendar laid over the series: ``cover[i, p]`` is True when programme p covers series i."""

    cover: np.ndarray  # (n series, P) bool
    start: np.ndarray  # (P,) month index (months since 1970-01)
    ramp: np.ndarray  # (P,)
    announced: np.ndarray  # (P,) month index

    @classmethod
    def build(cls, programmes: Sequence[dict], industry: np.ndarray, segment: np.ndarray) -> ProgrammeInputs:
        industry, segment = np.asarray(industry), np.asarray(segment)
        cover = np.zeros((len(industry), len(programmes)), dtype=bool)
        for k, p in enumerate(programmes):
            cover[:, k] = (
                segment == p["segment_code"] if p["segment_code"] else industry == p["industry_code"]
            )
        return cls(
            cover=cover,
            start=np.array([_index(p["start_month"]) for p in programmes], dtype=np.int64),
            ramp=np.array([p["ramp_months"] for p in programmes], dtype=np.float64),
            announced=np.array([_index(p["announced_month"]) for p in programmes], dtype=np.int64),
        )

    def phase_in(self, i: np.ndarray, origin: np.ndarray, month: np.ndarray) -> np.ndarray:
        """Per row: the summed phase-in at ``month`` of the programmes covering series ``i`` and announced
        by ``origin`` (month indices)."""
        out = np.zeros(len(i))
        for k in range(len(self.start)):
            known = self.cover[i, k] & (self.announced[k] <= origin)
            out += known * np.clip((month - self.start[k] + 1) / self.ramp[k], 0.0, 1.0)
        return out


def _month_label(index: int) -> str:
    return f"{1970 + index // 12}-{index % 12 + 1:02d}"


def programme_notes(
    programmes: Sequence[dict], nodes: pd.DataFrame, origin: int, horizon: int
) -> dict[str, list[tuple[str, str]]]:
    """``{node: [(en, zh), …]}``: the programmes a shortage reason should name for each node.

    A programme is named when it was announced by ``origin`` (a month index) and its phase-in moves
    between a year before the origin and the end of the horizon — the window the reasons' y/y changes
    look at. It covers a node whose segment it names, or any node of its chain (``nodes``: ``node`` and
    the dimension columns ``industry``, ``segment``, empty above their level).
    """
    notes: dict[str, list[tuple[str, str]]] = {}
    if not programmes or nodes.empty:
        return notes
    segment = nodes["segment"].to_numpy(dtype=object)
    industry = nodes["industry"].to_numpy(dtype=object)
    names = nodes["node"].to_numpy(dtype=object)
    for p in programmes:
        start, end = _index(p["start_month"]), _index(p["start_month"]) + int(p["ramp_months"]) - 1
        if _index(p["announced_month"]) > origin or end < origin - 11 or start > origin + horizon:
            continue
        hit = industry == p["industry_code"]
        if p["segment_code"]:
            hit &= (segment == p["segment_code"]) | pd.isna(segment)
        first, last = _month_label(start), _month_label(end)
        note = (
            f"talent programme {p['code']} phasing in {first} → {last}",
            f"人才专项计划{p['code']}于{first}至{last}逐步落地",
        )
        for node in dict.fromkeys(names[hit]):
            notes.setdefault(node, []).append(note)
    return notes
