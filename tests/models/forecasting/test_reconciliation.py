"""Bottom-up forecasts add up at every level; aggregate intervals are derived, not summed bounds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput
from models.forecasting.reconcile import BottomUpForecaster, Hierarchy, aggregate, check_coherence

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
