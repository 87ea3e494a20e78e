"""Conformal intervals cover about as promised on held-out synthetic data; metrics on known cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecasting.conformal import conformal_quantile, horizon_quantiles
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.metrics import mase_scale, point_metrics, precision_recall_at_k, wql
from training.forecasting.synthetic import synthetic_panel


def test_conformal_quantile_is_the_finite_sample_rank():
    scores = np.arange(1, 20, dtype=float)  # n = 19: rank ceil(20 * 0.8) = 16
    assert conformal_quantile(scores, 80) == 16.0
    assert conformal_quantile(scores, 95) == 19.0
    assert conformal_quantile(np.array([1.0, 2.0]), 95) == 2.0  # too few: the max, not infinity


def test_horizon_quantiles_never_shrink_with_horizon_and_95_covers_80():
    rng = np.random.default_rng(0)
    h = np.repeat(np.arange(1, 7), 50)
    scores = np.abs(rng.normal(0, 1, len(h))) * (1 + (h == 2))  # h=2 noisier than h=3
    q = horizon_quantiles(scores, h, 6)
    assert (np.diff(q[80]) >= 0).all() and (np.diff(q[95]) >= 0).all()
    assert (q[95] >= q[80]).all()


def test_lgbm_coverage_on_held_out_months_is_near_nominal():
    df = synthetic_panel(60, 84, seed=5, short_fraction=0.0)
    cut = df["ds"].max() - pd.DateOffset(months=6)
    model = GlobalLGBMForecaster(horizon=6, n_estimators=60).fit(df[df["ds"] <= cut])
    j = model.predict().merge(df[df["ds"] > cut], on=["unique_id", "ds"])
    cover80 = ((j["y"] >= j["lo80"]) & (j["y"] <= j["hi80"])).mean()
    cover95 = ((j["y"] >= j["lo95"]) & (j["y"] <= j["hi95"])).mean()
    # 360 points from one window: loose bounds, the backtest measures it properly
    assert 0.65 <= cover80 <= 0.95
    assert 0.85 <= cover95 <= 1.0


def test_mase_scale_uses_the_seasonal_difference_then_falls_back():
    t = np.arange(36)
    seasonal = 100 + 10 * np.sin(2 * np.pi * t / 12) + t  # y_t − y_{t−12} = 12 exactly
    short = np.r_[np.full(30, np.nan), np.arange(6.0)]  # no seasonal pairs: naive differences = 1
    np.testing.assert_allclose(mase_scale(np.vstack([seasonal, short])), [12.0, 1.0])


def test_point_metrics_of_a_perfect_forecast():
    f = pd.DataFrame(
        {
            "y": [1.0, 2.0],
            "mean": [1.0, 2.0],
            "lo80": [0.5, 1.5],
            "hi80": [1.5, 2.5],
            "lo95": [0.0, 1.0],
            "hi95": [2.0, 3.0],
            "mase_scale": [1.0, 1.0],
        }
    )
    m = point_metrics(f)
    assert m["mase"] == 0 and m["smape"] == 0 and m["coverage_80"] == 1 and m["coverage_95"] == 1
    assert wql(f) == pytest.approx(np.mean([2 * 0.025 * 2, 2 * 0.1 * 1, 0, 2 * 0.1 * 1, 2 * 0.025 * 2]) / 3)


def test_precision_and_recall_at_k():
    assert precision_recall_at_k(["a", "b", "c", "d"], {"a", "d", "e"}, 2) == (0.5, 1 / 3)


def test_several_calibration_windows_give_ordered_intervals_and_per_window_origins(panel):
    from models.forecasting.lgbm import GlobalLGBMForecaster

    m = GlobalLGBMForecaster(horizon=6, n_estimators=20, min_data_in_leaf=10, calibration_windows=2)
    fc = m.fit(panel[["unique_id", "ds", "y"]]).predict()
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["lo80"] <= fc["mean"]).all()
    assert (fc["mean"] <= fc["hi80"]).all() and (fc["hi80"] <= fc["hi95"]).all()
    assert m.calibration_["origin"].nunique() >= 2
    assert m.calibration_["h"].min() == 1


def test_spring_festival_share_follows_the_lunar_calendar():
    import numpy as np

    from models.forecasting.features import _festival

    jan = lambda y: (y - 1970) * 12  # noqa: E731
    # 春节 2024-02-10: [02-03, 02-25) lies in February; 2023-01-22: [01-15, 02-06) splits 17 / 5 days.
    np.testing.assert_allclose(_festival(np.array([jan(2024), jan(2024) + 1])), [0.0, 22 / 29])
    np.testing.assert_allclose(_festival(np.array([jan(2023), jan(2023) + 1])), [17 / 31, 5 / 28])


def test_mase_weighting_and_disruption_months_are_validated(panel):
    import pytest

    from models.errors import InvalidInput
    from models.forecasting.lgbm import GlobalLGBMForecaster

    df = panel[["unique_id", "ds", "y"]]
    with pytest.raises(InvalidInput, match="weighting"):
        GlobalLGBMForecaster(horizon=6, weighting="nope").fit(df)
    m = GlobalLGBMForecaster(
        horizon=6,
        n_estimators=10,
        min_data_in_leaf=10,
        weighting="mase",
        disruption_months=("2020-02",),
        disruption_handling="drop",
    ).fit(df)
    assert "disrupted_same_month_y1" in m.feature_names_ and len(m.predict()) == 6 * df["unique_id"].nunique()
