"""Demand and supply for the 12 months of the catalogue year, per occupation × segment.

The forecasters are ``GlobalLGBMForecaster`` artifacts (``models.forecasting.persistence``): a serving
artifact for the same series, target and data window is used when one is registered; otherwise the job
trains one with a fixed seed and keeps it under ``<artifacts>/catalogue/<target>/<key>/``, where the key
hashes the training data, the parameters and the seed, so a rerun on the same data loads instead of
training, and the same inputs always name the same model version.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from models.errors import InvalidInput
from models.forecasting.frames import DS, ID, month_index
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.persistence import data_sha256, load_forecaster, read_card, save_forecaster

MAX_HORIZON = 24
SERIES_LEVEL = "segment|occupation"
Z80, Z95 = 1.2815515655446004, 1.959963984540054
# Fast enough for the yearly job (~20 s per target on the demo's 751 series with 2 cores); the forecasting
# team's backtests tune the serving model, which the job prefers when one is registered.
DEFAULT_PARAMS: dict = {"n_estimators": 100, "max_train_rows": 100_000, "max_calibration_rows": 100_000}


@dataclass(frozen=True)
class ModelUsed:
    target: str
    version: str
    path: Path
    card: dict
    trained: bool

    def provenance(self) -> dict:
        """What an edition records about the model (no machine-specific path: editions are portable)."""
        c = self.card
        return {
            "target": self.target,
            "version": self.version,
            "class": c.get("class"),
            "horizon": c.get("horizon"),
            "data_window": c.get("data_window"),
            "data_sha256": c.get("data_sha256"),
            "parameters": {
                k: c.get("parameters", {}).get(k) for k in ("n_estimators", "seed", "learning_rate")
            },
            "files_sha256": c.get("files", {}),
        }


def year_months(year: int) -> pd.DatetimeIndex:
    return pd.date_range(f"{year}-01-01", periods=12, freq="MS")


def horizon_for(year: int, end: pd.Timestamp) -> int:
    """Months after the data's last month up to December of ``year`` (0 if the year is all observed)."""
    h = int(
        month_index(pd.DatetimeIndex([pd.Timestamp(f"{year}-12-01")]))[0]
        - month_index(pd.DatetimeIndex([end]))[0]
    )
    if h > MAX_HORIZON:
        raise InvalidInput(
            f"catalogue year {year} ends {h} months after the data ({end:%Y-%m}); at most {MAX_HORIZON} "
            f"months ahead are forecast: choose {end.year + 1} or earlier",
            field="year",
        )
    if h < -11:
        raise InvalidInput(f"catalogue year {year} lies before the data ({end:%Y-%m}) ends", field="year")
    return max(h, 0)


def model_key(frame: pd.DataFrame, params: Mapping, seed: int, horizon: int) -> str:
    blob = json.dumps(
        {"data": data_sha256(frame), "params": dict(params), "seed": seed, "h": horizon}, sort_keys=True
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def fit_or_load(
    target: str,
    frame: pd.DataFrame,
    *,
    horizon: int,
    seed: int,
    artifacts_dir: Path,
    params: Mapping | None = None,
    serving: Path | None = None,
    say: Callable[[str], None] = lambda _m: None,
) -> tuple[GlobalLGBMForecaster, ModelUsed]:
    """A fitted forecaster for ``target``: the serving one if given, a cached one, or a fresh fit."""
    if serving is not None:
        say(f"{target}: serving forecaster {serving.name}")
        return load_forecaster(serving), ModelUsed(target, serving.name, serving, read_card(serving), False)
    params = {**DEFAULT_PARAMS, **(params or {})}
    key = model_key(frame, params, seed, horizon)
    target_dir = Path(artifacts_dir) / "catalogue" / target / key
    version = f"catalogue-{target}-{key}"
    if (target_dir / "card.json").is_file():
        say(f"{target}: loading {version}")
        return load_forecaster(target_dir), ModelUsed(
            target, version, target_dir, read_card(target_dir), False
        )
    say(f"{target}: training {version}")
    model = GlobalLGBMForecaster(horizon=horizon, seed=seed, **params).fit(frame)
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target_dir.parent))
    card = {"target": target, "series_level": SERIES_LEVEL, "data_sha256": data_sha256(frame), "seed": seed}
    save_forecaster(model, staging / "artifact", card=card)
    try:
        os.replace(staging / "artifact", target_dir)
    except OSError:  # another run finished the same key first: theirs is identical
        if not (target_dir / "card.json").is_file():
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return model, ModelUsed(target, version, target_dir, read_card(target_dir), True)


def _sigma(fc: pd.DataFrame) -> np.ndarray:
    s80 = (fc["hi80"] - fc["mean"]).to_numpy() / Z80
    s95 = (fc["hi95"] - fc["mean"]).to_numpy() / Z95
    return np.maximum(np.maximum(s80, s95), 0.0)


def year_frame(
    model: GlobalLGBMForecaster | None, history: pd.DataFrame, year: int, horizon: int
) -> pd.DataFrame:
    """``unique_id, ds, mean, lo80, hi80, lo95, hi95`` for the year's 12 months.

    Months already observed carry the observation (zero-width interval); a series missing one of them
    takes its mean over the year's other observed months.
    """
    months = year_months(year)
    ids = np.asarray(sorted(history[ID].unique()), dtype=object)
    parts = []
    if horizon > 0:
        fc = model.predict(h=horizon)
        parts.append(fc[fc[DS].isin(months) & fc[ID].isin(set(ids))])
    seen = months[months <= history[DS].max()]
    if len(seen):
        grid = pd.MultiIndex.from_product([ids, seen], names=[ID, DS]).to_frame(index=False)
        obs = grid.merge(history[[ID, DS, "y"]], on=[ID, DS], how="left")
        obs["y"] = obs["y"].fillna(obs.groupby(ID)["y"].transform("mean")).fillna(0.0)
        parts.append(
            obs.assign(mean=obs["y"], lo80=obs["y"], hi80=obs["y"], lo95=obs["y"], hi95=obs["y"]).drop(
                columns="y"
            )
        )
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values([ID, DS], kind="stable").reset_index(drop=True)


def gap_with_interval(demand: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """Year totals per series: postings, job seekers, gap and its 80 % interval.

    Within a series the monthly errors are taken as fully correlated (σ of the year's sum = Σ σ),
    as ``models.forecasting.shortage`` assumes for P(short); demand and supply as independent.
    """
    d = demand.assign(sd=_sigma(demand)).groupby(ID)[["mean", "sd"]].sum()
    s = supply.assign(sd=_sigma(supply)).groupby(ID)[["mean", "sd"]].sum()
    j = d.join(s, lsuffix="_d", rsuffix="_s", how="inner")
    sd = np.sqrt(j["sd_d"] ** 2 + j["sd_s"] ** 2)
    gap = j["mean_d"] - j["mean_s"]
    return pd.DataFrame(
        {
            "postings": j["mean_d"],
            "job_seekers": j["mean_s"],
            "gap": gap,
            "gap_lo80": gap - Z80 * sd,
            "gap_hi80": gap + Z80 * sd,
        }
    )
