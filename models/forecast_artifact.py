"""The layout of a production forecast run, shared by the job that writes it and the service that reads it.

A run directory ``<home>/artifacts/forecaster/<UTC>/`` holds::

    card.json           the run's card (``layout: "forecast_run"``): data window, features, parameters,
                        backtest metrics (if computed), library versions, data hash, per-target cards
    postings/           a ``GlobalLGBMForecaster`` artifact (model.txt, state.json, history, card)
    job_seekers/        the same for supply
    forecasts.parquet   target, level, node, ds, h, mean, lo80, hi80, lo95, hi95 — every node of every level
    history.parquet     target, level, node, ds, y — the last HISTORY_MONTHS observed months of every node
    nodes.parquet       level, node + the dimension columns (zone, district, cluster, industry, segment,
                        occupation) with implied parents filled in, so filters work on every level
    shortages.parquet   horizon, level, node, shortage_index, p_short, score, flagged, indicators, reasons
    backtest.json       the backtest report, when the run computed one

Levels are products of a geography part (city ⊃ district ⊃ zone) and a chain part (cluster ⊃ industry ⊃
segment ⊃ occupation-in-segment); the bottom series are ``zone/segment/occupation``. Level names are the
columns joined by ``/`` (``"total"`` for the city as a whole), as in ``models.forecasting.reconcile``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from models.errors import ArtifactIncompatible, InvalidInput

LAYOUT = "forecast_run"
LAYOUT_VERSION = 1
TARGETS = ("postings", "job_seekers")
FILES = ("forecasts.parquet", "history.parquet", "nodes.parquet", "shortages.parquet")
HISTORY_MONTHS = 24
SHORTAGE_HORIZONS = (6, 12, 24)
CITY = "beijing"

GEO_LEVELS: dict[str, tuple[str, ...]] = {"city": (), "district": ("district",), "zone": ("zone",)}
CHAIN_LEVELS: dict[str, tuple[str, ...]] = {
    "total": (),
    "cluster": ("cluster",),
    "industry": ("industry",),
    "segment": ("segment",),
    "occupation": ("segment", "occupation"),
}
CHAIN_ORDER = ("total", "cluster", "industry", "segment", "occupation")
GEO_ORDER = ("city", "district", "zone")
DIMENSIONS = ("zone", "district", "cluster", "industry", "segment", "occupation")
BOTTOM_COLUMNS = ("zone", "segment", "occupation")
API_LEVELS = ("occupation", "segment", "industry", "cluster", "zone", "district", "city")


def level_columns(geo: str, chain: str) -> tuple[str, ...]:
    return GEO_LEVELS[geo] + CHAIN_LEVELS[chain]


def level_name(columns: Iterable[str]) -> str:
    columns = tuple(columns)
    return "/".join(columns) if columns else "total"


BOTTOM = level_name(BOTTOM_COLUMNS)


def all_levels() -> list[tuple[str, ...]]:
    """Every geography × chain combination, the bottom level first."""
    out = [BOTTOM_COLUMNS]
    for geo in GEO_ORDER:
        for chain in CHAIN_ORDER:
            cols = level_columns(geo, chain)
            if cols != BOTTOM_COLUMNS:
                out.append(cols)
    return out


def upper_levels() -> tuple[tuple[str, ...], ...]:
    return tuple(lv for lv in all_levels() if lv != BOTTOM_COLUMNS)


def node_name(columns: Iterable[str], values: Iterable[str]) -> str:
    """``zone=z1/segment=s3``; ``total`` for the empty level (as ``reconcile.Hierarchy`` names nodes)."""
    parts = [f"{c}={v}" for c, v in zip(columns, values, strict=True)]
    return "/".join(parts) if parts else "total"


def parse_node(node: str) -> dict[str, str]:
    if node == "total":
        return {}
    return dict(part.split("=", 1) for part in node.split("/"))


def resolve_level(level: str, filters: dict[str, str | None]) -> tuple[str, ...]:
    """The stored level answering an API query: ``level`` names the nodes returned; a filter on a
    dimension outside it selects the cross level (``level=segment&zone=z`` → ``zone/segment``).

    Raises InvalidInput when a filter is finer than the level asked for (``level=industry&segment=…``).
    """
    if level not in API_LEVELS:
        raise InvalidInput(f"unknown level {level!r}; one of {', '.join(API_LEVELS)}", field="level")
    given = {k for k, v in filters.items() if v}
    geo_filter = next((g for g in reversed(GEO_ORDER) if g in given), "city")
    chain_filter = next((c for c in reversed(CHAIN_ORDER) if c in given), "total")
    if level in GEO_LEVELS:
        geo = level
        if GEO_ORDER.index(geo_filter) > GEO_ORDER.index(geo):
            raise InvalidInput(
                f"filter {geo_filter!r} is finer than level {level!r}; ask for level={geo_filter}",
                field=geo_filter,
            )
        chain = chain_filter
    else:
        chain, geo = level, geo_filter
        if CHAIN_ORDER.index(chain_filter) > CHAIN_ORDER.index(chain):
            finer = [c for c in CHAIN_ORDER if CHAIN_ORDER.index(c) >= CHAIN_ORDER.index(chain_filter)]
            raise InvalidInput(
                f"filter {chain_filter!r} is finer than level {level!r}; ask for level {' or '.join(finer)}",
                field=chain_filter,
            )
    return level_columns(geo, chain)


def read_run_card(directory: Path) -> dict:
    path = Path(directory) / "card.json"
    if not path.is_file():
        raise ArtifactIncompatible(f"{directory} is not a forecast run: no card.json")
    return json.loads(path.read_text())


def check_run(directory: Path, card: dict | None = None) -> dict:
    """The run's card, after checking it is a forecast run this code reads and that its files exist.

    Raises ArtifactIncompatible naming each difference (a single-model artifact from
    ``forecast train --input`` is not a run: it has no forecasts to serve).
    """
    directory = Path(directory)
    card = card if card is not None else read_run_card(directory)
    problems = []
    if card.get("layout") != LAYOUT:
        problems.append(
            f"layout is {card.get('layout')!r}, expected {LAYOUT!r} (made by "
            "`talentcluster forecast train --store`)"
        )
    elif card.get("layout_version") != LAYOUT_VERSION:
        problems.append(f"layout_version is {card.get('layout_version')!r}, this code reads {LAYOUT_VERSION}")
    missing = [f for f in FILES if not (directory / f).is_file()]
    if missing:
        problems.append(f"missing file(s) {missing}")
    if problems:
        raise ArtifactIncompatible(f"cannot serve {directory.name}: " + "; ".join(problems))
    return card
