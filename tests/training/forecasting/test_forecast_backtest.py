"""The rolling-origin backtest: a loop of fit/predict, with the report the CLI contract names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecasting.baselines import SeasonalNaive
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.reconcile import Hierarchy
from training.forecasting.backtest import (
    backtest,
    cutoffs_for,
    default_models,
    merged,
    start_in_background,
)
from training.forecasting.shortage_backtest import shortage_ranking_backtest
from training.forecasting.synthetic import synthetic_panel

FAST = {"n_estimators": 30, "min_data_in_leaf": 10}


@pytest.fixture(scope="module")
def df():
    return synthetic_panel(16, 60, seed=3, hierarchy=True)


@pytest.fixture(scope="module")
def result(df):
    models = default_models(4, **FAST)
    return backtest(df, 4, models=models, n_cutoffs=3, hierarchy=Hierarchy.from_columns(["industry", "zone"]))


def test_report_has_the_contract_keys_for_the_model_and_both_baselines(result):
    rep = result.report
    assert rep["horizon"] == 4 and len(rep["cutoffs"]) == 3
    assert set(rep["models"]) == {"lgbm_global", "seasonal_naive", "auto_ets"}
    for m in rep["models"].values():
        for k in ("mase", "smape", "wql", "coverage_80", "coverage_95"):
            assert np.isfinite(m[k])
        assert 0 <= m["coverage_80"] <= 1 and 0 <= m["coverage_95"] <= 1
    assert set(rep["per_horizon"]["lgbm_global"]) == {"1", "2", "3", "4"}
    assert set(rep["per_level"]["lgbm_global"]) == {"bottom", "industry", "zone", "total"}
    assert "mase_improvement_vs_seasonal_naive" in rep["comparison"]


def test_cutoffs_are_the_last_origins_with_a_full_horizon_after_them(df):
    cuts = cutoffs_for(df, 4, 3, None)
    assert cuts[-1] == df["ds"].max() - pd.DateOffset(months=4)
    assert [c.month for c in cuts] == [(cuts[-1] - pd.DateOffset(months=2 * k)).month for k in (2, 1, 0)]


def test_each_cutoff_fits_a_fresh_clone_through_the_public_api(df, monkeypatch):
    calls = []
    original = SeasonalNaive.fit

    def spy(self, frame):
        calls.append(frame["ds"].max())
        return original(self, frame)

    monkeypatch.setattr(SeasonalNaive, "fit", spy)
    template = SeasonalNaive(horizon=4)
    backtest(df[["unique_id", "ds", "y"]], 4, models=[template], n_cutoffs=3)
    assert calls == cutoffs_for(df, 4, 3, None)
    assert not hasattr(template, "method_")  # the template itself is never fitted


def test_forecasts_at_a_cutoff_do_not_depend_on_later_data(df):
    """End-to-end leakage check: scramble everything after the first cut-off."""
    bottom = df[["unique_id", "ds", "y"]]
    first = cutoffs_for(bottom, 4, 3, None)[0]
    changed = bottom.copy()
    late = changed["ds"] > first
    changed.loc[late, "y"] = changed.loc[late, "y"].to_numpy()[::-1] * 3
    model = [GlobalLGBMForecaster(horizon=4, **FAST)]
    a = backtest(bottom, 4, models=model, n_cutoffs=3).forecasts
    b = backtest(changed, 4, models=model, n_cutoffs=3).forecasts
    cols = ["unique_id", "ds", "mean", "lo80", "hi80", "lo95", "hi95"]
    pd.testing.assert_frame_equal(a.loc[a["cutoff"] == first, cols], b.loc[b["cutoff"] == first, cols])


def test_shortage_ranking_is_scored_against_the_last_year_list():
    demand = synthetic_panel(12, 60, seed=8, short_fraction=0)
    supply = synthetic_panel(12, 60, seed=9, short_fraction=0)
    supply["y"] = supply["y"] * demand["y"].mean() / supply["y"].mean()
    out = shortage_ranking_backtest(demand, supply, 4, n_cutoffs=2, k=3, params=FAST)
    assert len(out["per_cutoff"]) == 2
    for who in ("model", "last_year_list"):
        for m in ("precision_at_k", "recall_at_k"):
            assert 0 <= out["mean"][who][m] <= 1


def test_a_baseline_backtested_in_a_second_process_reports_as_if_run_in_line(df, result):
    """``forecast backtest --jobs 2``: AutoETS fits in a worker; the merged report is the sequential one."""
    hierarchy = Hierarchy.from_columns(["industry", "zone"])
    lgbm, naive, ets = default_models(4, **FAST)
    pool, pending = start_in_background(df, 4, models=[ets], n_cutoffs=3, hierarchy=hierarchy)
    try:
        here = backtest(df, 4, models=[lgbm, naive], n_cutoffs=3, hierarchy=hierarchy)
        cutoff_fc, truth_fc = pending.result()
    finally:
        pool.shutdown()
    assert truth_fc is None and set(cutoff_fc["model"]) == {"auto_ets"}
    rep = merged(here, cutoff_fc, 4).report
    assert list(rep["models"]) == list(result.report["models"])
    for name in ("seasonal_naive", "auto_ets"):
        assert rep["models"][name] == pytest.approx(result.report["models"][name])
    assert rep["comparison"]["mase_improvement_vs_auto_ets"] == pytest.approx(
        result.report["comparison"]["mase_improvement_vs_auto_ets"]
    )
