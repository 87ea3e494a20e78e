"""The serving side of forecast runs: one loaded, read-only run per worker, swapped without a pause.

``ForecastRun.load`` reads a run directory (``models.forecast_artifact``) once into arrays indexed by
target and level; queries only slice them, so a forecast read costs microseconds and never touches the
database. ``ForecastHolder`` keeps the run that ``model_version`` marks serving: at most every
``refresh_seconds`` a request asks the registry for the serving pointer; when it moved, a background
thread loads the new run while requests go on with the old one, then one reference assignment swaps
them (runs are immutable, so no lock is needed to read one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from models.errors import InvalidInput, TalentClusterError, Unavailable
from models.forecast_artifact import (
    BOTTOM,
    DIMENSIONS,
    check_run,
    level_name,
    read_run_card,
    resolve_level,
)
from models.taxonomy import Taxonomy

log = logging.getLogger("talentcluster.forecasts")
MISSING_MESSAGE = "no forecaster serves yet; run talentcluster forecast train --store"
VALUES = ("mean", "lo80", "hi80", "lo95", "hi95")


class SeriesForecast(NamedTuple):
    node: str
    level: str
    dims: dict[str, str | None]
    label_en: str
    label_zh: str
    months: list[pd.Timestamp]
    values: np.ndarray  # (h, 5): mean, lo80, hi80, lo95, hi95
    history_months: list[pd.Timestamp]
    history: np.ndarray  # (m,), NaN where not observed


class ForecastPage(NamedTuple):
    version: str
    level: str
    target: str
    items: list[SeriesForecast]
    total: int


class ShortageRow(NamedTuple):
    rank: int
    node: str
    occupation: str | None
    record: dict  # shortage_index, p_short, score, flagged, indicators, reason_en, reason_zh


class SegmentShortages(NamedTuple):
    segment: str
    summary: dict | None  # the segment node's own assessment
    occupations: list[ShortageRow]
    total: int


class ShortageReport(NamedTuple):
    version: str
    level: str
    horizon: int
    segments: list[SegmentShortages]


@dataclass(frozen=True)
class _Level:
    nodes: np.ndarray  # (n,) node names, sorted
    dims: dict[str, np.ndarray]  # dimension → (n,) values (None where the node has no such dimension)
    labels: tuple[np.ndarray, np.ndarray]  # (en, zh)
    values: np.ndarray  # (n, H, 5)
    history: np.ndarray  # (n, M)


class ForecastRun:
    """One loaded run. Build with :meth:`load`; every attribute is read-only after that."""

    def __init__(self, version: str, path: Path, card: dict, levels, months, history_months, shortages):
        self.version = version
        self.path = path
        self.card = card
        self.horizon = len(months)
        self._levels: dict[tuple[str, str], _Level] = levels
        self._months = months
        self._history_months = history_months
        self._shortages: dict[tuple[int, str], pd.DataFrame] = shortages

    @classmethod
    def load(cls, path: Path, version: str | None = None) -> ForecastRun:
        """Read a run directory; raises ArtifactIncompatible when it is not one this code serves."""
        path = Path(path)
        card = check_run(path, read_run_card(path))
        fc = pd.read_parquet(path / "forecasts.parquet")
        hist = pd.read_parquet(path / "history.parquet")
        nodes = pd.read_parquet(path / "nodes.parquet").set_index(["level", "node"])
        months = list(pd.DatetimeIndex(sorted(pd.unique(fc["ds"]))))
        history_months = list(pd.DatetimeIndex(sorted(pd.unique(hist["ds"]))))
        levels = {}
        for (target, level), g in fc.groupby(["target", "level"], sort=False):
            g = g.sort_values(["node", "ds"], kind="stable")
            names = g["node"].to_numpy()[:: len(months)]
            values = g[list(VALUES)].to_numpy(np.float64).reshape(len(names), len(months), len(VALUES))
            h = hist[(hist["target"] == target) & (hist["level"] == level)]
            wide = h.pivot(index="node", columns="ds", values="y").reindex(
                index=names, columns=history_months
            )
            meta = nodes.loc[level].reindex(names)
            dims = {d: meta[d].to_numpy(dtype=object) for d in DIMENSIONS}
            labels = (meta["label_en"].to_numpy(dtype=object), meta["label_zh"].to_numpy(dtype=object))
            levels[(target, level)] = _Level(names, dims, labels, values, wide.to_numpy(np.float64))
        sh = pd.read_parquet(path / "shortages.parquet")
        sh = sh.merge(nodes.reset_index()[["level", "node", "segment", "occupation"]], on="node", how="left")
        shortages = {
            (int(hz), str(level)): g.sort_values(["p_short", "score"], ascending=False, kind="stable")
            for (hz, level), g in sh.groupby(["horizon", "level"], sort=False)
        }
        return cls(version or path.name, path, card, levels, months, history_months, shortages)

    # -- queries ---------------------------------------------------------------------------------------
    def forecasts(
        self,
        taxonomy: Taxonomy,
        *,
        level: str,
        target: str,
        horizon: int,
        filters: dict[str, str | None],
        limit: int,
        offset: int,
        history_months: int = 12,
    ) -> ForecastPage:
        """Nodes of ``level`` matching ``filters`` (zone, district, cluster, industry, segment, occupation),
        sorted by node name, with the first ``horizon`` months and the last ``history_months`` observed."""
        _check_codes(taxonomy, filters)
        if horizon > self.horizon:
            raise InvalidInput(f"horizon {horizon} exceeds this run's {self.horizon} months", field="horizon")
        name = level_name(resolve_level(level, filters))
        table = self._level(target, name)
        mask = np.ones(len(table.nodes), dtype=bool)
        for dim, value in filters.items():
            if value:
                mask &= table.dims[dim] == value
        idx = np.flatnonzero(mask)
        hm = self._history_months[-history_months:] if history_months else []
        items = [
            SeriesForecast(
                node=table.nodes[i],
                level=name,
                dims={d: table.dims[d][i] for d in DIMENSIONS},
                label_en=table.labels[0][i],
                label_zh=table.labels[1][i],
                months=self._months[:horizon],
                values=table.values[i, :horizon],
                history_months=hm,
                history=table.history[i, len(self._history_months) - len(hm) :],
            )
            for i in idx[offset : offset + limit]
        ]
        return ForecastPage(self.version, name, target, items, int(len(idx)))

    def shortages(
        self,
        taxonomy: Taxonomy,
        *,
        industry: str | None,
        segment: str | None = None,
        zone: str | None = None,
        district: str | None = None,
        horizon: int = 12,
        limit: int = 10,
    ) -> ShortageReport:
        """Occupations ranked by P(short), then score, in each segment of the chain(s), upstream first;
        with ``zone`` or ``district``, the occupations of that place."""
        _check_codes(taxonomy, {"industry": industry, "segment": segment, "zone": zone, "district": district})
        horizons = sorted({h for h, _ in self._shortages})
        if horizon not in horizons:
            raise InvalidInput(f"horizon must be one of {horizons} for shortages", field="horizon")
        geo = ("zone",) if zone else ("district",) if district else ()
        name = level_name((*geo, "segment", "occupation"))
        frame = self._shortages[(horizon, name)]
        summary_frame = self._shortages[(horizon, level_name((*geo, "segment")))]
        place = {"zone": zone} if zone else {"district": district} if district else {}
        for dim, value in place.items():
            frame = frame[frame["node"].str.contains(f"{dim}={value}/", regex=False)]
            summary_frame = summary_frame[summary_frame["node"].str.contains(f"{dim}={value}/", regex=False)]
        if segment:
            codes = [taxonomy.segment(segment)]
        elif industry:
            codes = taxonomy.segments_of(industry)
        else:
            codes = sorted(taxonomy.segments.values(), key=lambda s: (s.industry_code, s.position))
        by_segment = dict(tuple(frame.groupby("segment", sort=False)))
        summaries = summary_frame.set_index("segment")
        out = []
        for s in codes:
            g = by_segment.get(s.code)
            rows = [] if g is None else g.head(limit).to_dict("records")
            summary = summaries.loc[s.code].to_dict() if s.code in summaries.index else None
            out.append(
                SegmentShortages(
                    segment=s.code,
                    summary=summary,
                    occupations=[
                        ShortageRow(k + 1, r["node"], r.get("occupation"), r) for k, r in enumerate(rows)
                    ],
                    total=0 if g is None else len(g),
                )
            )
        return ShortageReport(self.version, name, horizon, out)

    def _level(self, target: str, name: str) -> _Level:
        try:
            return self._levels[(target, name)]
        except KeyError:
            targets = sorted({t for t, _ in self._levels})
            raise InvalidInput(
                f"target {target!r} is not in this run; one of {targets}", field="target"
            ) from None


def _check_codes(taxonomy: Taxonomy, filters: dict[str, str | None]) -> None:
    """Unknown codes are a 422 naming the field (the query is wrong; nothing was looked up by URL)."""
    tables = {
        "zone": taxonomy.zones,
        "cluster": taxonomy.clusters,
        "industry": taxonomy.industries,
        "segment": taxonomy.segments,
        "occupation": taxonomy.occupations,
    }
    districts = {z.district_code for z in taxonomy.zones.values()}
    for dim, value in filters.items():
        if not value:
            continue
        known = districts if dim == "district" else tables[dim]
        if value not in known:
            hint = f"; one of {', '.join(sorted(known))}" if len(known) <= 40 else ""
            raise InvalidInput(f"unknown {dim} {value!r}{hint}", field=dim)


class ForecastHolder:
    """The serving run of one worker; see the module docstring.

    ``pointer()`` returns ``(version, path)`` of the serving version or None (it reads the registry);
    ``load(path, version)`` builds a :class:`ForecastRun` (``ForecastRun.load`` by default).
    """

    def __init__(
        self,
        pointer: Callable[[], tuple[str, str] | None],
        *,
        refresh_seconds: float = 5.0,
        load: Callable[[Path, str], ForecastRun] = ForecastRun.load,
    ):
        self.pointer = pointer
        self.refresh_seconds = refresh_seconds
        self.load_run = load
        self._run: ForecastRun | None = None
        self._state = threading.Lock()
        self._checked_at = float("-inf")
        self._loading: str | None = None
        self._checking = False
        self._failed: dict[str, str] = {}

    @property
    def version(self) -> str | None:
        run = self._run
        return run.version if run is not None else None

    def status(self, *, refresh: bool = False) -> str:
        """``ok``, ``missing`` (none serves) or ``failed: …`` (the serving version could not be loaded)."""
        if refresh and self._run is None and time.monotonic() - self._checked_at >= self.refresh_seconds:
            self.refresh(wait=True)
        if self._run is not None:
            return "ok"
        if self._failed:
            version, why = next(reversed(self._failed.items()))
            return f"failed: {version} cannot be loaded: {why}"
        return "missing"

    def start(self) -> ForecastHolder:
        """Load the serving run now (at start-up), if one is registered."""
        self.refresh(wait=True)
        return self

    def current(self) -> ForecastRun:
        """The run to answer with; ``Unavailable`` (503) when none serves."""
        if time.monotonic() - self._checked_at >= self.refresh_seconds:
            self.refresh()
        run = self._run
        if run is None:
            failed = self.status()
            raise Unavailable(MISSING_MESSAGE if failed == "missing" else f"the serving forecaster {failed}")
        return run

    def refresh(self, *, wait: bool = False) -> None:
        """Look at the serving pointer and load a new run, both in the background (or now, with ``wait``:
        a request on the event loop must not wait for the registry)."""
        if not wait:
            with self._state:
                if self._checking:
                    return
                self._checking = True
                self._checked_at = time.monotonic()
            threading.Thread(target=self._check_in_background, daemon=True).start()
            return
        self._check()

    def _check_in_background(self) -> None:
        try:
            self._check()
        finally:
            self._checking = False

    def _check(self) -> None:
        with self._state:
            self._checked_at = time.monotonic()
            try:
                target = self.pointer()
            except Exception as exc:  # noqa: BLE001 - a registry hiccup must not stop answering
                log.warning("serving forecaster pointer unreadable: %s", exc)
                return
            if target is None or target[0] == self.version or target[0] in self._failed:
                return
            if self._loading == target[0]:
                return
            self._loading = target[0]
        self._load_and_swap(*target)

    def _load_and_swap(self, version: str, path: str) -> None:
        try:
            run = self.load_run(Path(path), version)
        except (TalentClusterError, OSError, ValueError, KeyError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            log.error("forecaster %s could not be loaded: %s", version, message)
            self._failed[version] = message
        else:
            self._run = run
            log.info("forecaster %s serving", version)
        finally:
            with self._state:
                self._loading = None

    def swap_now(self) -> None:
        """Pick up a promotion made through this worker at once (other workers follow on their refresh)."""
        self._checked_at = float("-inf")
        self.refresh(wait=True)


__all__ = ["BOTTOM", "ForecastHolder", "ForecastPage", "ForecastRun", "MISSING_MESSAGE", "ShortageReport"]
