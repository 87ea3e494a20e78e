"""The contract every forecaster keeps (as scikit-learn's common estimator checks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput, Unavailable
from models.forecasting.frames import OUTPUT_COLUMNS

H = 6  # the horizon of the fitted fixtures (conftest)
NAMES = ["lgbm_global", "seasonal_naive", "auto_ets"]


@pytest.mark.parametrize("name", NAMES)
def test_predict_returns_every_series_for_the_months_after_the_data(fitted, panel, name):
    fc = fitted[name].predict()
    assert list(fc.columns) == OUTPUT_COLUMNS
    assert set(fc["unique_id"]) == set(panel["unique_id"])
    assert len(fc) == panel["unique_id"].nunique() * H
    expected = pd.date_range(panel["ds"].max() + pd.offsets.MonthBegin(1), periods=H, freq="MS")
    for _, g in fc.groupby("unique_id"):
        assert list(g["ds"]) == list(expected)
    assert not fc.isna().any().any()


@pytest.mark.parametrize("name", NAMES)
def test_intervals_are_ordered(fitted, name):
    fc = fitted[name].predict()
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["lo80"] <= fc["mean"]).all()
    assert (fc["mean"] <= fc["hi80"]).all() and (fc["hi80"] <= fc["hi95"]).all()


@pytest.mark.parametrize("name", NAMES)
def test_shorter_horizon_is_a_prefix_and_longer_is_refused(fitted, name):
    full, short = fitted[name].predict(), fitted[name].predict(2)
    assert len(short) == len(full) // H * 2
    pd.testing.assert_frame_equal(
        short.reset_index(drop=True), full.groupby("unique_id").head(2).reset_index(drop=True)
    )
    with pytest.raises(InvalidInput, match="horizon"):
        fitted[name].predict(H + 1)


@pytest.mark.parametrize("name", NAMES)
def test_params_round_trip_and_clone_is_unfitted(factory, name):
    model = factory(name)
    clone = model.clone()
    assert clone.get_params() == model.get_params()
    with pytest.raises(Unavailable, match="not fitted"):
        clone.predict()
    with pytest.raises(InvalidInput, match="unknown parameter"):
        model.set_params(no_such_thing=1)


def test_baselines_record_the_method_used_per_series(fitted, panel):
    for name in ("seasonal_naive", "auto_ets"):
        method = fitted[name].method_
        assert set(method.index) == set(panel["unique_id"])
        assert method.notna().all()
    # the short series of the panel cannot use a full season of history
    assert "seasonal_naive" in set(fitted["seasonal_naive"].method_)
    assert set(fitted["seasonal_naive"].method_) <= {"seasonal_naive", "naive", "mean"}


def test_lgbm_is_one_global_model_with_deterministic_feature_names(fitted):
    model = fitted["lgbm_global"]
    assert model.booster_.feature_name() == model.feature_names_
    assert "rolling_mean_lag1_window_size12" in model.feature_names_
    assert "spring_festival" in model.feature_names_


def test_lgbm_contributions_add_up_to_the_forecast(fitted):
    model = fitted["lgbm_global"]
    contrib = model.contributions()
    fc = model.predict()
    total = contrib.drop(columns=["unique_id", "ds"]).sum(axis=1).to_numpy()
    np.testing.assert_allclose(np.maximum(total, 0), fc["mean"].to_numpy(), rtol=1e-6, atol=1e-6)


def test_known_exogenous_inputs_are_required_in_x_future(panel):
    from models.forecasting.lgbm import GlobalLGBMForecaster

    df = panel[["unique_id", "ds", "y"]].assign(
        programme=(panel["ds"].dt.year >= 2019).astype(float), growth=np.linspace(0, 1, len(panel))
    )
    model = GlobalLGBMForecaster(
        horizon=3, known_exog=("programme",), unknown_exog=("growth",), n_estimators=20
    ).fit(df)
    with pytest.raises(InvalidInput, match="X_future"):
        model.predict()
    future = pd.DataFrame(
        [
            (u, d, 1.0)
            for u in df["unique_id"].unique()
            for d in pd.date_range(df["ds"].max(), periods=4, freq="MS")[1:]
        ],
        columns=["unique_id", "ds", "programme"],
    )
    fc = model.predict(X_future=future)
    assert not fc.isna().any().any()
    with pytest.raises(InvalidInput, match="lacks"):
        model.predict(X_future=future.iloc[1:])
    assert "programme" in model.feature_names_ and "growth_lag1" in model.feature_names_
