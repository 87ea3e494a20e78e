"""Save and load a fitted ``GlobalLGBMForecaster`` as a versioned artifact directory with a card.

Layout (no pickles): ``model.txt`` (LightGBM's native text format), ``state.json`` (parameters,
conformal quantiles, feature names, static categories), ``history.parquet`` (the
last 36 months the features read), and ``card.json`` (data window, features, parameters, metrics,
library versions, sha256 of the training data and of every file). ``load_forecaster`` refuses an
artifact whose card does not match what this code expects, saying what differs.
"""

from __future__ import annotations

import hashlib
import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.errors import ArtifactIncompatible, InvalidInput
from models.forecasting.features import LOOKBACK
from models.forecasting.frames import DS, ID, Panel, month_index, month_start
from models.forecasting.lgbm import GlobalLGBMForecaster

KIND = "forecaster"
FORMAT_VERSION = 1
FILES = ("model.txt", "state.json", "history.parquet")


def data_sha256(df: pd.DataFrame) -> str:
    """Order-independent hash of a long frame's content (rows sorted by unique_id, ds; columns by name)."""
    cols = sorted(df.columns)
    canon = df[cols].sort_values([ID, DS], kind="stable").reset_index(drop=True)
    h = pd.util.hash_pandas_object(canon, index=False).to_numpy()
    return hashlib.sha256(h.tobytes() + ",".join(cols).encode()).hexdigest()


def library_versions() -> dict[str, str]:
    import lightgbm
    import sklearn

    return {
        "python": platform.python_version(),
        "lightgbm": lightgbm.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
    }


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _jsonable(v: Any) -> Any:
    if isinstance(v, tuple | list):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        return v.item()
    return v


def save_forecaster(model: GlobalLGBMForecaster, directory: Path, *, card: dict | None = None) -> Path:
    """Write the artifact into ``directory`` (which must not exist yet: versions are never overwritten)."""
    model.check_is_fitted()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=False)
    model.booster_.save_model(str(directory / "model.txt"))
    state = {
        "params": {k: _jsonable(v) for k, v in model.get_params().items()},
        "quantiles": {str(k): v.tolist() for k, v in model.quantiles_.items()},
        "feature_names": model.feature_names_,
        "static_categories": model.static_categories_,
        "static_codes": {k: v.tolist() for k, v in model.static_codes_.items()},
        "fallback_scale": model.fallback_scale_.tolist(),
        "programme_cover": {k: v.tolist() for k, v in getattr(model, "programme_cover_", {}).items()},
        "clip_nonnegative": model.clip_nonnegative_,
        "data_window": [f"{d:%Y-%m-%d}" for d in model.data_window_],
    }
    (directory / "state.json").write_text(json.dumps(state, ensure_ascii=False))
    hist = model.history_
    n, L = hist.values.shape
    frame = pd.DataFrame(
        {
            ID: np.repeat(hist.ids, L),
            DS: np.tile(month_start(hist.start + np.arange(L)), n),
            "y": hist.values.reshape(-1),
        }
    )
    for c, m in model.history_exog_.items():
        frame[c] = m.reshape(-1)
    frame.to_parquet(directory / "history.parquet", index=False)
    full = {
        "kind": KIND,
        "format_version": FORMAT_VERSION,
        "class": type(model).__name__,
        "model_name": model.name,
        "data_window": {"start": state["data_window"][0], "end": state["data_window"][1], "n_series": int(n)},
        "horizon": int(model.horizon),
        "features": model.feature_names_,
        "exogenous": model.spec_.exogenous(),
        "parameters": state["params"],
        "library_versions": library_versions(),
        "files": {f: _sha256_file(directory / f) for f in FILES},
        **(card or {}),
    }
    (directory / "card.json").write_text(json.dumps(full, indent=2, ensure_ascii=False, default=str))
    return directory


def read_card(directory: Path) -> dict:
    path = Path(directory) / "card.json"
    if not path.is_file():
        raise ArtifactIncompatible(f"{directory} is not a forecaster artifact: no card.json")
    return json.loads(path.read_text())


def verify_card(directory: Path, card: dict) -> None:
    """Raise ArtifactIncompatible naming each difference between the card and this code's expectations."""
    import lightgbm

    problems = []
    if card.get("kind") != KIND:
        problems.append(f"kind is {card.get('kind')!r}, expected {KIND!r}")
    if card.get("format_version") != FORMAT_VERSION:
        problems.append(f"format_version is {card.get('format_version')!r}, this code reads {FORMAT_VERSION}")
    if card.get("class") != GlobalLGBMForecaster.__name__:
        problems.append(f"class is {card.get('class')!r}, expected {GlobalLGBMForecaster.__name__!r}")
    params = card.get("parameters", {})
    try:
        # Every parameter that shapes the features (groups, disruption calendar…), not only lags/windows.
        known = set(GlobalLGBMForecaster._param_names())
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items() if k in known}
        spec = GlobalLGBMForecaster(**kwargs)._spec()
        if list(spec.names) != card.get("features"):
            problems.append("the card's features differ from those this code derives from its parameters")
    except (KeyError, TypeError, InvalidInput):
        problems.append("the card's parameters lack lags/windows/exogenous/static entries")
    saved = card.get("library_versions", {}).get("lightgbm", "")
    if saved.split(".")[:1] != lightgbm.__version__.split(".")[:1]:
        problems.append(f"saved with lightgbm {saved}, running {lightgbm.__version__} (major differs)")
    for f, digest in card.get("files", {}).items():
        p = Path(directory) / f
        if not p.is_file():
            problems.append(f"{f} is missing")
        elif _sha256_file(p) != digest:
            problems.append(f"{f} does not match its sha256 in the card (modified or corrupt)")
    if set(card.get("files", {})) != set(FILES):
        problems.append(f"the card lists files {sorted(card.get('files', {}))}, expected {sorted(FILES)}")
    if problems:
        raise ArtifactIncompatible(f"cannot load {directory}: " + "; ".join(problems))


def load_forecaster(directory: Path) -> GlobalLGBMForecaster:
    """Load a forecaster saved by :func:`save_forecaster` after checking its card (read-only)."""
    import lightgbm as lgb

    directory = Path(directory)
    card = read_card(directory)
    verify_card(directory, card)
    state = json.loads((directory / "state.json").read_text())
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in state["params"].items()}
    model = GlobalLGBMForecaster(**params)
    spec = model._spec()
    booster = lgb.Booster(model_file=str(directory / "model.txt"))
    if booster.feature_name() != list(spec.names):
        raise ArtifactIncompatible(f"cannot load {directory}: model.txt's features differ from the card's")
    frame = pd.read_parquet(directory / "history.parquet")
    ids = pd.unique(frame[ID])
    n = len(ids)
    L = len(frame) // n
    start = int(month_index(frame[DS]).min())
    model.booster_ = booster
    model.spec_ = spec
    model.feature_names_ = list(spec.names)
    model.quantiles_ = {int(k): np.asarray(v) for k, v in state["quantiles"].items()}
    model.static_categories_ = state["static_categories"]
    model.static_codes_ = {k: np.asarray(v, dtype=np.int64) for k, v in state["static_codes"].items()}
    model.fallback_scale_ = np.asarray(state["fallback_scale"])
    if model.programmes:
        model.programme_cover_ = {k: np.asarray(v, dtype=object) for k, v in state["programme_cover"].items()}
        model._lay_programmes()
    model.clip_nonnegative_ = state["clip_nonnegative"]
    model.history_ = Panel(
        ids=np.asarray(ids, dtype=object), start=start, values=frame["y"].to_numpy(np.float64).reshape(n, L)
    )
    model.history_exog_ = {c: frame[c].to_numpy(np.float64).reshape(n, L) for c in spec.inputs}
    model.data_window_ = tuple(pd.Timestamp(d) for d in state["data_window"])
    assert L <= LOOKBACK
    return model


def latest_version(root: Path) -> Path:
    """The newest artifact directory under ``root`` (names are UTC timestamps, so they sort by time)."""
    versions = (
        sorted(p for p in Path(root).iterdir() if p.is_dir() and (p / "card.json").is_file())
        if Path(root).is_dir()
        else []
    )
    if not versions:
        raise ArtifactIncompatible(f"no forecaster artifact under {root}")
    return versions[-1]
