"""A bag of boosters (``n_boosters``) is one LightGBM model whose forecast is the members' mean."""

from __future__ import annotations

import numpy as np
import pytest

from models.errors import InvalidInput
from models.forecasting.bagging import average_boosters
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.persistence import load_forecaster, save_forecaster

H = 6
FAST = {"n_estimators": 30, "min_data_in_leaf": 10}


def _boosters(k: int):
    import lightgbm as lgb

    rng = np.random.default_rng(0)
    X = rng.random((600, 4))
    X[:, 3] = rng.integers(0, 12, 600)  # a categorical column: its splits must survive the merge
    y = 3 * X[:, 0] + (X[:, 3] % 3) + rng.random(600)
    out = []
    for seed in range(k):
        rows = rng.integers(0, 600, 400)
        params = {"objective": "l1", "num_leaves": 7, "seed": seed, "verbose": -1}
        out.append(lgb.train(params, lgb.Dataset(X[rows], y[rows], categorical_feature=[3]), 25))
    return X, out


def test_average_of_boosters_predicts_the_mean_of_their_predictions_and_contributions():
    X, boosters = _boosters(3)
    bag = average_boosters(boosters)
    assert bag.num_trees() == sum(b.num_trees() for b in boosters)
    np.testing.assert_allclose(bag.predict(X), np.mean([b.predict(X) for b in boosters], axis=0), atol=1e-9)
    contrib = np.mean([b.predict(X, pred_contrib=True) for b in boosters], axis=0)
    np.testing.assert_allclose(bag.predict(X, pred_contrib=True), contrib, atol=1e-9)


def test_a_single_booster_is_its_own_average():
    _, boosters = _boosters(1)
    assert average_boosters(boosters) is boosters[0]


def test_bagged_forecaster_is_one_booster_that_saves_and_loads(panel, tmp_path):
    df = panel[["unique_id", "ds", "y"]]
    single = GlobalLGBMForecaster(horizon=H, **FAST).fit(df)
    bag = GlobalLGBMForecaster(horizon=H, n_boosters=3, **FAST).fit(df)
    assert bag.booster_.num_trees() > single.booster_.num_trees()
    assert bag.booster_.feature_name() == bag.feature_names_
    fc = bag.predict()
    assert not fc["mean"].equals(single.predict()["mean"])
    contrib = bag.contributions().drop(columns=["unique_id", "ds"]).sum(axis=1).to_numpy()
    np.testing.assert_allclose(np.maximum(contrib, 0), fc["mean"].to_numpy(), rtol=1e-6, atol=1e-6)
    loaded = load_forecaster(save_forecaster(bag, tmp_path / "bag"))
    np.testing.assert_allclose(loaded.predict()["mean"], fc["mean"], rtol=1e-9)


def test_bag_size_below_one_is_refused(panel):
    with pytest.raises(InvalidInput, match="n_boosters"):
        GlobalLGBMForecaster(horizon=H, n_boosters=0).fit(panel[["unique_id", "ds", "y"]])
