"""The training job: a long frame in, a versioned artifact directory out.

The data source is a function the caller passes (a CSV reader today, the store later), so the job itself
never knows where the frame came from.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from models.errors import Conflict
from models.forecasting.frames import DS, ID, validate_long
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.persistence import data_sha256, save_forecaster
from models.forecasting.programmes import COVER_COLUMNS
from training.forecasting.backtest import Progress, backtest

ARTIFACT_KIND = "forecaster"


def version_name(now: datetime | None = None) -> str:
    """UTC timestamp used as the version directory name, e.g. ``2026-11-24T10-00-05Z``."""
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H-%M-%SZ")


def train_forecaster(
    load: Callable[[], pd.DataFrame],
    artifacts_dir: Path,
    *,
    horizon: int = 12,
    n_cutoffs: int = 3,
    params: dict | None = None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> Path:
    """Fit ``GlobalLGBMForecaster`` on ``load()`` and save it under ``<artifacts_dir>/forecaster/<UTC>/``.

    With ``n_cutoffs > 0`` a rolling-origin backtest of the same configuration (and the baselines) runs
    first and its headline metrics go into the card. Raises Conflict if that version already exists.
    """
    say = progress or (lambda _m: None)
    template = GlobalLGBMForecaster(horizon=horizon, **(params or {}))
    cover = list(COVER_COLUMNS) if template.programmes else []
    df = validate_long(load(), required=(*template.known_exog, *cover))
    metrics: dict = {}
    if n_cutoffs > 0:
        keep = [ID, DS, "y", *template.known_exog, *template.unknown_exog, *template.static_features, *cover]
        from training.forecasting.backtest import default_models

        models = default_models(horizon, **(params or {}))
        rep = backtest(df[keep], horizon, models=models, n_cutoffs=n_cutoffs, progress=say).report
        metrics = {
            "backtest": {"cutoffs": rep["cutoffs"], "models": rep["models"], "comparison": rep["comparison"]}
        }
    say("fitting the final model")
    model = template.fit(df)
    target = Path(artifacts_dir) / ARTIFACT_KIND / version_name(now)
    if target.exists():
        raise Conflict(f"artifact version {target} already exists; versions are never overwritten")
    card = {
        "data_sha256": data_sha256(df),
        "training_rows": int(len(df)),
        "metrics": metrics
        | {"conformal_quantiles_scaled": {str(k): v.tolist() for k, v in model.quantiles_.items()}},
    }
    say(f"writing {target}")
    return save_forecaster(model, target, card=card)
