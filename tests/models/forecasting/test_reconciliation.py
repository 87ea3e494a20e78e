"""Bottom-up forecasts add up at every level; aggregate intervals are derived, not summed bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput
from models.forecasting.reconcile import (
    BottomUpForecaster,
    Hierarchy,
    aggregate,
    aggregate_bounds,
    check_coherence,
    sum_skew,
)

HIER = Hierarchy(levels=(("segment",), ("industry",), ("zone",), ("zone", "industry"), ()))


@pytest.fixture(scope="module", params=["lgbm_global", "seasonal_naive"])
def reconciled(request, panel, factory):
    model = BottomUpForecaster(factory(request.param), HIER).fit(panel)
    return model, model.predict()


def test_every_level_sums_to_its_members_within_1e_6(reconciled, panel):
    model, fc = reconciled
    bottom, upper = fc[fc["level"] == "bottom"], fc[fc["level"] != "bottom"]
    assert set(upper["level"]) == {"segment", "industry", "zone", "zone/industry", "total"}
    for col in ("mean",):
        sums = aggregate(bottom[["unique_id", "ds", col]], model.membership_, [col])
        j = upper.merge(sums, on=["level", "unique_id", "ds"], suffixes=("", "_sum"))
        assert len(j) == len(upper)
        assert np.max(np.abs(j[col] - j[f"{col}_sum"])) <= 1e-6
    total = upper[upper["unique_id"] == "total"].set_index("ds")["mean"]
    np.testing.assert_allclose(total, bottom.groupby("ds")["mean"].sum(), atol=1e-6)


def test_aggregate_intervals_are_ordered_and_not_summed_bounds(reconciled):
    _, fc = reconciled
    assert (fc["lo95"] <= fc["lo80"]).all() and (fc["lo80"] <= fc["mean"]).all()
    assert (fc["mean"] <= fc["hi80"]).all() and (fc["hi80"] <= fc["hi95"]).all()
    bottom, total = fc[fc["level"] == "bottom"], fc[fc["level"] == "total"].set_index("ds")
    summed_width = bottom.groupby("ds")["hi95"].sum() - bottom.groupby("ds")["lo95"].sum()
    width = total["hi95"] - total["lo95"]
    # independent-ish errors partly cancel: the interval of a sum is narrower than the sum of widths
    assert (width < summed_width).all()


def test_incoherent_forecasts_are_detected(reconciled):
    model, fc = reconciled
    bottom, upper = fc[fc["level"] == "bottom"], fc[fc["level"] != "bottom"].copy()
    upper.loc[upper.index[0], "mean"] += 1e-3
    with pytest.raises(InvalidInput, match="incoherent"):
        check_coherence(bottom, upper, model.membership_)
    with pytest.raises(InvalidInput, match="cover every series"):
        check_coherence(bottom.iloc[1:], upper, model.membership_)


def test_a_series_that_moves_between_nodes_is_refused(panel):
    df = panel.copy()
    rows = df.index[df["unique_id"] == df["unique_id"].iloc[0]]
    df.loc[rows[-3:], "segment"] = "elsewhere"
    with pytest.raises(InvalidInput, match="changes hierarchy membership"):
        HIER.membership(df)


def test_missing_members_are_not_counted_as_zero():
    df = pd.DataFrame(
        {
            "unique_id": ["a", "b", "a"],
            "ds": pd.to_datetime(["2020-01-01"] * 2 + ["2020-02-01"]),
            "y": [1.0, np.nan, 3.0],
            "g": ["x", "x", "x"],
        }
    )
    agg = aggregate(df, Hierarchy.from_columns(["g"], total=False).membership(df), ["y"])
    assert agg["y"].tolist() == [1.0, 3.0]
    df["y"] = np.nan
    assert aggregate(df, Hierarchy.from_columns(["g"]).membership(df), ["y"])["y"].isna().all()


def _calibration(errors: np.ndarray, shared: np.ndarray) -> pd.DataFrame:
    """400 series × 6 origins × 3 horizons of held-out forecasts: y = ŷ + scale · (error + the origin's
    shared shock)."""
    n, n_origin, H = 400, 6, 3
    i, o, h = (
        a.ravel() for a in np.meshgrid(np.arange(n), np.arange(n_origin), np.arange(1, H + 1), indexing="ij")
    )
    scale = 10.0 + (i % 7)
    yhat = 50.0 + i % 11
    e = errors.reshape(-1)[: len(i)] * h + shared[o]
    return pd.DataFrame(
        {
            "unique_id": i.astype(str),
            "origin": pd.Timestamp("2020-01-01") + pd.to_timedelta(o * 31, unit="D"),
            "h": h,
            "y": yhat + e * scale,
            "yhat": yhat,
            "scale": scale,
        }
    )


def test_sum_skew_measures_how_far_a_sum_of_medians_falls_below_the_sum():
    rng = np.random.default_rng(0)
    n = 400 * 6 * 3
    shocks = rng.normal(0, 0.3, 6)  # shared by every series of an origin: a stale booster, a shock
    skewed = rng.exponential(0.1, n) - 0.1 * np.log(2)  # median 0, mean 0.1·(1 − ln 2) per unit of h
    symmetric = rng.normal(0, 0.1, n)
    gap = sum_skew(_calibration(skewed, shocks), 3)
    assert gap == pytest.approx(0.1 * (1 - np.log(2)) * np.arange(1, 4), rel=0.15)
    assert np.abs(sum_skew(_calibration(symmetric, shocks), 3)).max() < 0.01
    # A horizon without calibration rows borrows the shorter one.
    assert sum_skew(_calibration(skewed, shocks), 5)[3:].tolist() == [gap[2]] * 2


def test_aggregate_bounds_move_up_by_the_skew_and_always_hold_the_point():
    mean = np.array([100.0, 100.0, 5.0])
    lo, hi = aggregate_bounds(mean, np.array([10.0, 2.0, 10.0]), np.array([5.0, 5.0, 0.0]), clip0=True)
    assert lo.tolist() == [95.0, 100.0, 0.0] and hi.tolist() == [115.0, 107.0, 15.0]
