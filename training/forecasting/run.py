"""The production forecast run: observations from the database in, a served-ready artifact directory out.

Steps: read the observations; fit one ``GlobalLGBMForecaster`` (``store_lgbm_params``) for postings
(demand) and one for job seekers (supply) on the ``zone|segment|occupation`` series; forecast
``horizon`` months with 80/95% intervals; reconcile bottom-up over occupation → segment → industry →
cluster and zone → district → city (``training.forecasting.levels``); assess shortage for every node at
the horizons in ``SHORTAGE_HORIZONS``; write ``<artifacts>/forecaster/<UTC>/`` (layout in
``models.forecast_artifact``) atomically; register it in ``model_version``. The serving version is never
replaced: the new one serves only when promoted (or, with ``promote="if_none"``, when none serves yet).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session, sessionmaker

from models import forecast_registry
from models.errors import Conflict, InvalidInput
from models.forecast_artifact import (
    BOTTOM,
    CITY,
    HISTORY_MONTHS,
    LAYOUT,
    LAYOUT_VERSION,
    SHORTAGE_HORIZONS,
    TARGETS,
    all_levels,
    level_name,
)
from models.forecasting.frames import DS, ID, month_index
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.persistence import data_sha256, library_versions, read_card, save_forecaster
from models.forecasting.programmes import COVER_COLUMNS, programme_notes
from models.forecasting.shortage import ShortageRule, assess_shortage
from models.storage.database import transaction
from models.storage.observations import read_observations
from models.taxonomy import Taxonomy
from training.forecasting import store
from training.forecasting.backtest import store_lgbm_params
from training.forecasting.levels import aggregate_history, node_table, reconcile_levels
from training.forecasting.train import ARTIFACT_KIND, version_name

Progress = Callable[[str, float], None]
SERIES_LEVEL = "zone|segment|occupation"
PROMOTE_CHOICES = ("if_none", "always", "never")


@dataclass
class RunResult:
    version: str
    path: Path
    card: dict
    serving: bool
    seconds: dict[str, float] = field(default_factory=dict)


def long_frames(obs: pd.DataFrame, reference_dir: Path) -> dict[str, pd.DataFrame]:
    """``unique_id, ds, y`` + hierarchy columns (district included) per target, from observation rows."""
    if obs.empty:
        raise InvalidInput(
            "the database holds no observations; import or simulate some first", field="observations"
        )
    rows = obs.assign(month=pd.to_datetime(obs["month"]).dt.strftime("%Y-%m"))
    district = rows.drop_duplicates("zone_code").set_index("zone_code")["district_code"]
    out = {}
    for target in TARGETS:
        df = store.store_to_long(rows, reference_dir, target)
        df["district"] = df["zone"].map(district).astype(str)
        out[target] = df
    return out


def _fit_target(target: str, frame: pd.DataFrame, horizon: int, params: dict, nodes: pd.DataFrame, out: Path):
    """Fit, forecast every level, save the model; runs in a worker process when ``jobs > 1``."""
    started = time.perf_counter()
    model = GlobalLGBMForecaster(horizon=horizon, **params).fit(frame[[ID, DS, "y", *_model_columns(params)]])
    fc = reconcile_levels(model, nodes)
    card = {"target": target, "series_level": SERIES_LEVEL, "data_sha256": data_sha256(frame[[ID, DS, "y"]])}
    save_forecaster(model, out / target, card=card)
    return target, fc, time.perf_counter() - started


def _model_columns(params: dict) -> list[str]:
    cols = [*params.get("group_features", ()), *params.get("group_cycle", ()), *params.get("pool_by", ())]
    cols += [*params.get("static_features", ())]
    cols += [*params.get("known_exog", ()), *params.get("unknown_exog", ())]
    if params.get("share_group"):
        cols += [params["share_group"], *params.get("share_context", ("zone", "segment"))]
    if params.get("programmes"):
        cols += list(COVER_COLUMNS)
    return list(dict.fromkeys(cols))


def _labels(nodes: pd.DataFrame, taxonomy: Taxonomy) -> dict[str, tuple[str, str]]:
    """``{node: (en, zh)}``: the most specific chain name, then the place, for the reasons' sentences."""
    labels = {}
    for r in nodes.drop_duplicates("node").itertuples(index=False):
        cols = () if r.level == "total" else tuple(r.level.split("/"))
        en, zh = [], []
        if "occupation" in cols:
            o = taxonomy.occupations[r.occupation]
            en.append(o.name_en), zh.append(o.name_zh)
        for col, table in (("segment", taxonomy.segments), ("industry", taxonomy.industries)):
            if col in cols:
                en.append(table[getattr(r, col)].name_en), zh.append(table[getattr(r, col)].name_zh)
        if "cluster" in cols:
            c = taxonomy.clusters[r.cluster]
            en.append(c.name_en), zh.append(c.name_zh)
        if "zone" in cols:
            z = taxonomy.zones[r.zone]
            en.append(z.name_en), zh.append(z.name_zh)
        elif "district" in cols:
            en.append(f"{r.district} district"), zh.append(r.district)
        else:
            en.append("Beijing"), zh.append("北京")
        labels[r.node] = (", ".join(en), "，".join(zh))
    return labels


def _indicator_history(obs: pd.DataFrame, nodes: pd.DataFrame, since: pd.Timestamp) -> pd.DataFrame:
    """Days-to-fill (hires-weighted) and wage (postings-weighted) per node and month, for the reasons."""
    o = obs[pd.to_datetime(obs["month"]) >= since]
    ids = store.series_id(o)
    fill = o["mean_days_to_fill"].to_numpy(np.float64)
    wage = o["median_wage_cny"].to_numpy(np.float64)
    hires = np.nan_to_num(o["hires"].to_numpy(np.float64))
    post = np.nan_to_num(o["postings"].to_numpy(np.float64))
    w_fill, w_wage = (
        np.where(np.isfinite(fill), np.maximum(hires, 1.0), np.nan),
        np.where(np.isfinite(wage), np.maximum(post, 1.0), np.nan),
    )
    frame = pd.DataFrame(
        {
            ID: ids.to_numpy(),
            DS: pd.to_datetime(o["month"]).to_numpy(),
            "fill_w": w_fill * fill,
            "fill_n": w_fill,
            "wage_w": w_wage * wage,
            "wage_n": w_wage,
        }
    )
    agg = aggregate_history(frame, nodes, ["fill_w", "fill_n", "wage_w", "wage_n"])
    return pd.DataFrame(
        {
            ID: agg[ID],
            DS: agg[DS],
            "days_to_fill": agg["fill_w"] / agg["fill_n"],
            "wage": agg["wage_w"] / agg["wage_n"],
        }
    )


def _shortages(fc, history, indicators, labels, rule: ShortageRule, notes: dict[int, dict]) -> pd.DataFrame:
    """Shortage assessment over each window ``h ≤ H`` of ``notes`` (``{H: programme notes}``)."""
    parts = []
    for H, window_notes in notes.items():
        window = fc[fc["h"] <= H]
        a = assess_shortage(
            history["postings"],
            window[window["target"] == "postings"],
            history["job_seekers"],
            window[window["target"] == "job_seekers"],
            indicators=indicators,
            rule=rule,
            labels=labels,
            notes=window_notes,
            n_draws=500,
        )
        parts.append(a.assign(horizon=H))
    return pd.concat(parts, ignore_index=True).rename(columns={ID: "node"})


def _say(progress: Progress | None) -> Progress:
    return progress or (lambda _m, _f: None)


def run_forecast(
    factory: sessionmaker[Session],
    *,
    reference_dir: Path,
    artifacts_dir: Path,
    horizon: int = 24,
    n_cutoffs: int = 0,
    params: dict | None = None,
    jobs: int = 1,
    promote: str = "if_none",
    progress: Progress | None = None,
    now: datetime | None = None,
) -> RunResult:
    """Run the whole job (see the module docstring) and return the new version.

    ``params`` override ``store_lgbm_params()``; ``jobs=2`` fits the two targets in two processes.
    Raises Conflict if the version directory exists, InvalidInput for unusable data.
    """
    if promote not in PROMOTE_CHOICES:
        raise InvalidInput(f"promote must be one of {', '.join(PROMOTE_CHOICES)}", field="promote")
    say = _say(progress)
    seconds: dict[str, float] = {}
    t0 = clock = time.perf_counter()
    params = {**store_lgbm_params(), **(params or {})}
    version = version_name(now)
    root = Path(artifacts_dir) / ARTIFACT_KIND
    target_dir = root / version
    if target_dir.exists():
        raise Conflict(f"artifact version {target_dir} already exists; versions are never overwritten")

    say("reading observations", 0.02)
    with factory() as session:
        # Another home sharing this database may have registered the same second's version.
        if forecast_registry.exists(session, version):
            raise Conflict(f"forecaster version {version} is already registered; try again in a second")
        obs = read_observations(session)
    taxonomy = Taxonomy.load(reference_dir)
    frames = long_frames(obs, reference_dir)
    hier = pd.concat([f.drop_duplicates(ID) for f in frames.values()]).drop_duplicates(ID)
    nodes = node_table(hier, tuple(all_levels()))
    seconds["read"], clock = time.perf_counter() - clock, time.perf_counter()

    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=root))
    try:
        say(f"fitting postings and job_seekers ({len(hier)} series, {horizon} months)", 0.1)
        fcs, fit_seconds = _fit_all(frames, horizon, params, nodes, staging, jobs)
        seconds["fit_and_reconcile"], clock = time.perf_counter() - clock, time.perf_counter()
        seconds.update({f"fit_{k}": v for k, v in fit_seconds.items()})

        say("assessing shortages", 0.75)
        fc = pd.concat([f.assign(target=t) for t, f in fcs.items()], ignore_index=True)
        origin = int(month_index(fc[DS]).min()) - 1
        fc["h"] = month_index(fc[DS]) - origin
        since = pd.Timestamp(fc[DS].min()) - pd.DateOffset(months=HISTORY_MONTHS)
        history = {}
        for target, frame in frames.items():
            recent = frame[frame[DS] >= since]
            history[target] = aggregate_history(recent, nodes, ["y"])
        indicators = _indicator_history(obs, nodes, since)
        rule = ShortageRule()
        labels = _labels(nodes, taxonomy)
        calendar = params.get("programmes") or ()
        notes = {H: programme_notes(calendar, nodes, origin, H) for H in SHORTAGE_HORIZONS if H <= horizon}
        shortages = _shortages(fc, history, indicators, labels, rule, notes)
        seconds["shortages"], clock = time.perf_counter() - clock, time.perf_counter()

        report = None
        if n_cutoffs > 0:
            say(f"backtest over {n_cutoffs} cut-offs", 0.85)
            report = _backtest(frames, horizon, params, n_cutoffs)
            (staging / "backtest.json").write_text(
                json.dumps(report, indent=2, ensure_ascii=False, default=str)
            )
            seconds["backtest"], clock = time.perf_counter() - clock, time.perf_counter()

        say("writing the artifact", 0.95)
        _write_frames(staging, fc, history, nodes, shortages, labels)
        card = _card(version, frames, staging, params, horizon, rule, report, nodes, seconds)
        seconds["write"] = time.perf_counter() - clock
        seconds["total"] = time.perf_counter() - t0
        card["seconds"] = {k: round(v, 2) for k, v in seconds.items()}
        (staging / "card.json").write_text(json.dumps(card, indent=2, ensure_ascii=False, default=str))
        os.chmod(staging, 0o755)
        os.replace(staging, target_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise

    with transaction(factory) as session:
        forecast_registry.register(session, version, target_dir, card)
        serves = promote == "always" or (promote == "if_none" and forecast_registry.serving(session) is None)
        if serves:
            forecast_registry.promote(session, version)
    say(f"version {version} written" + (" and serving" if serves else ""), 1.0)
    return RunResult(version=version, path=target_dir, card=card, serving=serves, seconds=seconds)


def _fit_all(frames, horizon, params, nodes, staging: Path, jobs: int):
    args = [(t, frames[t], horizon, params, nodes, staging) for t in TARGETS]
    if jobs > 1:
        # spawn, not fork: the caller may hold threads (a server, OpenMP) that fork would copy mid-state.
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(args)), mp_context=ctx) as pool:
            results = list(pool.map(_fit_target, *zip(*args, strict=True)))
    else:
        results = [_fit_target(*a) for a in args]
    return {t: fc for t, fc, _ in results}, {t: s for t, _, s in results}


def _write_frames(directory: Path, fc, history, nodes, shortages, labels) -> None:
    cols = ["target", "level", ID, DS, "h", "mean", "lo80", "hi80", "lo95", "hi95"]
    fc[cols].rename(columns={ID: "node"}).sort_values(["target", "level", "node", DS]).to_parquet(
        directory / "forecasts.parquet", index=False
    )
    hist = pd.concat([h.assign(target=t) for t, h in history.items()], ignore_index=True)
    hist[["target", "level", ID, DS, "y"]].rename(columns={ID: "node"}).sort_values(
        ["target", "level", "node", DS]
    ).to_parquet(directory / "history.parquet", index=False)
    table = nodes.drop(columns="series").drop_duplicates(["level", "node"]).sort_values(["level", "node"])
    table["label_en"] = table["node"].map(lambda n: labels[n][0])
    table["label_zh"] = table["node"].map(lambda n: labels[n][1])
    table.to_parquet(directory / "nodes.parquet", index=False)
    shortages.to_parquet(directory / "shortages.parquet", index=False)


def _backtest(frames, horizon: int, params: dict, n_cutoffs: int) -> dict:
    from models.forecasting.reconcile import Hierarchy
    from training.forecasting.backtest import backtest, default_models

    out = {}
    hierarchy = Hierarchy.from_columns(list(store.HIERARCHY), total=False)
    for target, frame in frames.items():
        models = default_models(horizon, ets_model="ANA", **params)
        cols = [ID, DS, "y", *store.HIERARCHY]
        out[target] = backtest(
            frame[cols], horizon, models=models, n_cutoffs=n_cutoffs, hierarchy=hierarchy
        ).report
    return out


def _card(version, frames, staging: Path, params, horizon, rule, report, nodes, seconds) -> dict:
    sub = {t: read_card(staging / t) for t in TARGETS}
    first = sub[TARGETS[0]]
    ds = pd.concat([f[DS] for f in frames.values()])
    levels = nodes.groupby("level", sort=False)["node"].nunique()
    return {
        "kind": ARTIFACT_KIND,
        "layout": LAYOUT,
        "layout_version": LAYOUT_VERSION,
        "version": version,
        "class": first.get("class"),
        "series_level": SERIES_LEVEL,
        "targets": list(TARGETS),
        "horizon": horizon,
        "data_window": {
            "start": f"{ds.min():%Y-%m-%d}",
            "end": f"{ds.max():%Y-%m-%d}",
            "n_series": int(max(f[ID].nunique() for f in frames.values())),
        },
        "data_sha256": {t: sub[t].get("data_sha256") for t in TARGETS},
        "features": first.get("features"),
        "parameters": {k: v for k, v in first.get("parameters", {}).items()},
        "library_versions": library_versions(),
        "hierarchy": {"levels": {name: int(n) for name, n in levels.items()}, "bottom": BOTTOM, "city": CITY},
        "shortage": {
            "horizons": [h for h in SHORTAGE_HORIZONS if h <= horizon],
            "rule": {k: v for k, v in vars(rule).items()},
        },
        "metrics": {"backtest": _headline(report)} if report else {},
        "models": {t: {k: sub[t].get(k) for k in ("data_window", "files", "metrics")} for t in TARGETS},
        "files": list(dict.fromkeys(["card.json", *[p.name for p in sorted(staging.iterdir())]])),
        "level_names": [level_name(lv) for lv in all_levels()],
    }


def _headline(report: dict) -> dict:
    return {
        t: {"cutoffs": r.get("cutoffs"), "models": r.get("models"), "comparison": r.get("comparison")}
        for t, r in report.items()
    }
