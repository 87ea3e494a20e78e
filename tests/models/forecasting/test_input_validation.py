"""Malformed or too-short input fails with a clear InvalidInput; missing months stay NaN, not zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput
from models.forecasting.baselines import AutoETSForecaster, SeasonalNaive
from models.forecasting.frames import to_panel, validate_long
from models.forecasting.lgbm import GlobalLGBMForecaster

ALL = [GlobalLGBMForecaster, SeasonalNaive, AutoETSForecaster]


def _frame(n_months=40, n_series=3):
    ds = pd.date_range("2020-01-01", periods=n_months, freq="MS")
    return pd.DataFrame(
        [(f"s{i}", d, 100.0 + i + k) for i in range(n_series) for k, d in enumerate(ds)],
        columns=["unique_id", "ds", "y"],
    )


@pytest.mark.parametrize("model", ALL)
def test_missing_columns_are_named(model):
    with pytest.raises(InvalidInput, match=r"missing column\(s\) \['y'\]"):
        model(horizon=3).fit(_frame().drop(columns="y"))


@pytest.mark.parametrize("model", ALL)
def test_duplicate_id_and_month_is_refused(model):
    df = _frame()
    with pytest.raises(InvalidInput, match="duplicate"):
        model(horizon=3).fit(pd.concat([df, df.iloc[[5]]]))


@pytest.mark.parametrize("model", ALL)
def test_non_monthly_dates_are_refused(model):
    df = _frame()
    df.loc[3, "ds"] = pd.Timestamp("2020-04-15")
    with pytest.raises(InvalidInput, match="monthly"):
        model(horizon=3).fit(df)


def test_unparseable_dates_and_text_targets_are_refused():
    df = _frame().astype({"ds": str, "y": object})
    df.loc[0, "ds"] = "not a date"
    with pytest.raises(InvalidInput, match="not dates"):
        validate_long(df)
    df = _frame().astype({"y": object})
    df.loc[0, "y"] = "many"
    with pytest.raises(InvalidInput, match="numeric"):
        validate_long(df)


def test_a_series_without_any_observation_is_refused():
    df = _frame()
    df.loc[df["unique_id"] == "s1", "y"] = np.nan
    with pytest.raises(InvalidInput, match="'s1' has no observed value"):
        validate_long(df)


def test_too_short_history_for_the_global_model_says_how_much_is_needed():
    with pytest.raises(InvalidInput, match=r"too short: horizon 12 needs at least 36 months.*got 20"):
        GlobalLGBMForecaster(horizon=12).fit(_frame(n_months=20))


@pytest.mark.parametrize("h", [0, -1, 2.5, "6", True])
def test_bad_horizons_are_refused(h):
    with pytest.raises(InvalidInput, match="horizon"):
        SeasonalNaive(horizon=h).fit(_frame())


def test_missing_months_are_nan_not_zero():
    df = _frame().drop(index=[10, 11])  # s0 misses two months
    panel = to_panel(validate_long(df))
    assert np.isnan(panel.values[0, 10:12]).all()
    assert (panel.values[0, :10] > 0).all()


def test_short_and_gappy_series_still_get_forecasts():
    df = _frame(n_months=48, n_series=4)
    df = df[~((df["unique_id"] == "s1") & (df["ds"] < "2023-06-01"))]  # 7 months only
    df = df.drop(index=df.index[(df["unique_id"] == "s2")][20:23])  # a gap
    for model in ALL:
        fc = model(horizon=6).fit(df).predict()
        assert not fc.isna().any().any()
        assert set(fc["unique_id"]) == {"s0", "s1", "s2", "s3"}
