"""The occupation-share inputs see an occupation's own movements and nothing its cells share."""

from __future__ import annotations

import numpy as np
import pytest

from models.errors import InvalidInput
from models.forecasting.group_inputs import group_share, share_feature_names
from models.forecasting.lgbm import GlobalLGBMForecaster

# six series: occupations 0, 1, 2 in two cells (zone × segment)
OCCUPATION = np.array([0, 1, 2, 0, 1, 2])
CELL = np.array([0, 0, 0, 1, 1, 1])


def _values(T=150, seed=0):
    return np.random.default_rng(seed).uniform(50, 100, (6, T))


def test_occupations_that_only_follow_the_market_show_no_deviation():
    """Each series a steady fraction of a market that has seasons, a lockdown month and a boom."""
    t = np.arange(150)
    market = (1 + 0.3 * np.sin(t * np.pi / 6)) * np.where(t == 90, 0.3, 1.0) * 1.01**t
    values = np.random.default_rng(0).uniform(5, 500, (6, 1)) * market[None, :]
    out = group_share(values, OCCUPATION, CELL, "occupation")
    assert set(out) == set(share_feature_names("occupation"))
    for name, v in out.items():
        np.testing.assert_allclose(v[:, 30:], 0.0, atol=1e-9, err_msg=name)


def test_a_boom_of_one_cell_moves_the_shares_far_less_than_an_occupations_own_spell():
    values = _values()
    base = group_share(values, OCCUPATION, CELL, "occupation")["occupation_share_dev120"]
    boom = values.copy()
    boom[CELL == 1, 100:] *= 2.0  # every occupation of cell 1 (an industry in a zone) doubles
    moved = group_share(boom, OCCUPATION, CELL, "occupation")["occupation_share_dev120"]
    spell = values.copy()
    spell[OCCUPATION == 1, 100:] *= 2.0  # occupation 1 doubles everywhere
    own = group_share(spell, OCCUPATION, CELL, "occupation")["occupation_share_dev120"]
    assert np.abs(moved - base)[:, 110].max() < 0.1 < (own - base)[OCCUPATION == 1, 110].min()


def test_an_occupations_own_spell_shows_in_its_share_deviation():
    values = _values()
    hot = values.copy()
    hot[OCCUPATION == 1, 100:] *= 2.0  # occupation 1 turns hot in both cells
    dev = group_share(hot, OCCUPATION, CELL, "occupation")["occupation_share_dev120"]
    base = group_share(values, OCCUPATION, CELL, "occupation")["occupation_share_dev120"]
    assert (dev[OCCUPATION == 1, 110] > base[OCCUPATION == 1, 110] + 0.2).all()
    assert (dev[OCCUPATION == 0, 110] < base[OCCUPATION == 0, 110]).all()  # the others' shares fall


def test_share_features_need_their_context_columns(panel):
    df = panel[["unique_id", "ds", "y", "segment"]].assign(occupation="o")
    with pytest.raises(InvalidInput, match="zone"):
        GlobalLGBMForecaster(horizon=6, share_group="occupation", share_context=("zone", "segment")).fit(df)
