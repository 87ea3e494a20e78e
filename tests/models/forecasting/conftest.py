"""Small synthetic panels and fitted forecasters shared by the forecasting tests (kept tiny: fast)."""

from __future__ import annotations

import pandas as pd
import pytest

from models.forecasting.baselines import AutoETSForecaster, SeasonalNaive
from models.forecasting.lgbm import GlobalLGBMForecaster
from training.forecasting.synthetic import synthetic_panel

H = 6
FAST = {"n_estimators": 40, "min_data_in_leaf": 10}


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    """24 series × 60 months, a few of them short, with hierarchy columns."""
    return synthetic_panel(24, 60, seed=11, short_fraction=0.15, hierarchy=True)


def make(name: str):
    """A fresh, unfitted forecaster by report name."""
    return {
        "lgbm_global": lambda: GlobalLGBMForecaster(horizon=H, **FAST),
        "seasonal_naive": lambda: SeasonalNaive(horizon=H),
        "auto_ets": lambda: AutoETSForecaster(horizon=H),
    }[name]()


@pytest.fixture(scope="session")
def fitted(panel):
    """Each forecaster fitted once on the panel's y."""
    df = panel[["unique_id", "ds", "y"]]
    return {name: make(name).fit(df) for name in ("lgbm_global", "seasonal_naive", "auto_ets")}


@pytest.fixture(scope="session")
def factory():
    return make
