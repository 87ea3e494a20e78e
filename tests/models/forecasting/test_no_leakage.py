"""No feature of a row at origin o may read the series (or unknown inputs) after o."""

from __future__ import annotations

import numpy as np
import pytest

from models.forecasting.features import FeatureSpec, build_features, origin_scale
from models.forecasting.group_inputs import (
    group_cycle,
    group_feature_names,
    group_momentum,
    group_share,
    pool_inputs,
    share_feature_names,
)

SPEC = FeatureSpec(windows=(3, 6, 12, 24, 36), known_exog=("programme",), unknown_exog=("growth",))


def _data(seed=0, n=5, T=60):
    rng = np.random.default_rng(seed)
    values = rng.uniform(10, 100, (n, T))
    values[1, :20] = np.nan  # a late starter
    values[2, 30:33] = np.nan  # a gap
    exog = {"programme": rng.uniform(0, 1, (n, T + 12)), "growth": rng.uniform(0, 1, (n, T))}
    return values, exog


def _features(values, exog, o, H=12):
    n = values.shape[0]
    i = np.repeat(np.arange(n), H)
    oo = np.full(n * H, o)
    h = np.tile(np.arange(1, H + 1), n)
    scale = origin_scale(values)
    return build_features(SPEC, values, scale, 600, i, oo, h, exog=exog, static_codes={})


@pytest.mark.parametrize("origin", [0, 5, 13, 25, 40, 47])
def test_features_do_not_change_when_the_future_changes(origin):
    values, exog = _data()
    before = _features(values, exog, origin)
    rng = np.random.default_rng(1)
    values2, exog2 = values.copy(), {k: v.copy() for k, v in exog.items()}
    values2[:, origin + 1 :] = rng.uniform(1e3, 1e4, values2[:, origin + 1 :].shape)  # includes the targets
    exog2["growth"][:, origin + 1 :] = -5.0  # not known at cut-off: must not reach the row
    after = _features(values2, exog2, origin)
    np.testing.assert_array_equal(before, after)


def test_the_test_would_catch_a_leak():
    """Sanity check of the check: perturbing the origin month itself must change the features."""
    values, exog = _data()
    before = _features(values, exog, 30)
    values[:, 30] *= 3
    assert not np.array_equal(before, _features(values, exog, 30), equal_nan=True)


def test_known_exogenous_input_enters_at_the_target_month_only():
    values, exog = _data()
    o = 30
    col, change = SPEC.names.index("programme"), SPEC.names.index("programme_change")
    before = _features(values, exog, o)
    exog["programme"][:, o + 13 :] = 99.0  # after the last target month (o + 12): irrelevant
    np.testing.assert_array_equal(before, _features(values, exog, o))
    exog["programme"][:, o + 1] = 42.0  # the h = 1 target month
    after = _features(values, exog, o)
    assert (after[::12, col] == 42.0).all()
    # Its change over the horizon: from the origin's value (known then) to the target month's.
    np.testing.assert_allclose(after[::12, change], 42.0 - exog["programme"][:, o], rtol=1e-6)
    np.testing.assert_array_equal(
        np.delete(after, [col, change], axis=1), np.delete(before, [col, change], axis=1)
    )


def test_scale_at_an_origin_reads_only_the_past():
    values, _ = _data()
    s = origin_scale(values)
    values[:, 40:] = 1e6
    np.testing.assert_array_equal(s[:, :40], origin_scale(values)[:, :40])


POOLED = FeatureSpec(
    windows=(3, 6, 12, 24, 36),
    unknown_exog=(*group_feature_names(("g",), ("g",), (36, 60), (6, 12)), *share_feature_names("g")),
    pooled=True,
)


def _pooled_features(values, o, H=12):
    """Pool and group inputs recomputed from the (possibly perturbed) panel, as ``fit`` computes them."""
    codes = np.array([0, 0, 1, 1, 1])
    exog = {**group_momentum(values, codes, "g"), **group_cycle(values, codes, "g", (36, 60), (6, 12))}
    exog.update(group_share(values, codes, np.array([0, 1, 0, 1, 1]), "g"))
    exog.update(pool_inputs(values, codes))
    n = values.shape[0]
    i, oo, h = np.repeat(np.arange(n), H), np.full(n * H, o), np.tile(np.arange(1, H + 1), n)
    return build_features(POOLED, values, origin_scale(values), 600, i, oo, h, exog=exog)


@pytest.mark.parametrize("origin", [0, 13, 30, 47])
def test_pooled_and_group_cycle_features_read_no_month_after_the_origin(origin):
    values, _ = _data()
    before = _pooled_features(values, origin)
    values2 = values.copy()
    values2[:, origin + 1 :] = np.random.default_rng(2).uniform(1e3, 1e4, values2[:, origin + 1 :].shape)
    values2[0, origin + 1 :] = np.nan  # a member going missing after the origin changes nothing either
    np.testing.assert_array_equal(before, _pooled_features(values2, origin))


def test_a_pool_member_at_the_origin_moves_the_pooled_level():
    """Sanity check of the check: the pooled features do read the other members up to the origin."""
    values, _ = _data()
    before = _pooled_features(values, 30)
    values[1, 30] *= 5  # series 1 shares series 0's pool
    cols = [POOLED.names.index(c) for c in ("pool_level3", "pool_level12")]
    assert not np.array_equal(before[:12, cols], _pooled_features(values, 30)[:12, cols], equal_nan=True)
