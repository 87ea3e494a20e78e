"""Policy programmes as a known input: the calendar, its phase-in, and a forecaster that reads it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput
from models.forecasting.frames import month_index
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.persistence import load_forecaster, save_forecaster
from models.forecasting.programmes import load_programmes, ramp_matrix

MONTHS = pd.date_range("2016-01-01", periods=84, freq="MS")
LIFT = 0.5


def _programme(code, segment, start, ramp=6):
    return {
        "code": code,
        "industry_code": "A",
        "segment_code": segment,
        "start_month": start,
        "ramp_months": ramp,
    }


# Two programmes in the history teach the lift; the third starts in the last observed month.
PROGRAMMES = (
    _programme("P1", "A-1", "2018-07"),
    _programme("P2", "A-2", "2020-03"),
    _programme("P3", "A-3", f"{MONTHS[-1]:%Y-%m}"),
)


def _market(seed=0) -> pd.DataFrame:
    """40 series in 4 segments of chain A; each programme lifts its segment's postings by LIFT once ramped."""
    rng = np.random.default_rng(seed)
    segments = np.array([f"A-{s % 4}" for s in range(40)])
    start = int(month_index(MONTHS[:1])[0])
    horizon_ramp = ramp_matrix(PROGRAMMES, np.full(40, "A"), segments, start, len(MONTHS) + 6)
    season = 1 + 0.1 * np.sin(2 * np.pi * np.arange(len(MONTHS) + 6) / 12)
    mean = 30 * season[None, :] * (1 + LIFT * horizon_ramp)
    y = rng.poisson(mean[:, : len(MONTHS)])
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{k:02d}" for k in range(40)], len(MONTHS)),
            "ds": np.tile(MONTHS, 40),
            "y": y.reshape(-1).astype(float),
            "industry": "A",
            "segment": np.repeat(segments, len(MONTHS)),
        }
    )
    return frame, mean[:, len(MONTHS) :]


def test_ramp_is_the_sum_of_clipped_phase_ins_of_the_programmes_covering_a_series():
    programmes = (
        _programme("S", "A-1", "2020-01", ramp=4),
        {**_programme("C", None, "2020-03", ramp=2), "segment_code": None},
    )
    start = int(month_index(pd.DatetimeIndex(["2019-12-01"]))[0])
    r = ramp_matrix(programmes, np.array(["A", "A", "B"]), np.array(["A-1", "A-2", "B-1"]), start, 6)
    assert r[0].tolist() == [0, 0.25, 0.5, 1.25, 2.0, 2.0]  # segment programme plus the chain's
    assert r[1].tolist() == [0, 0, 0, 0.5, 1.0, 1.0]  # the chain's only
    assert r[2].tolist() == [0] * 6  # another chain


def test_forecaster_carries_an_announced_programme_into_the_forecast():
    df, expected = _market()
    fast = {"horizon": 6, "n_estimators": 80, "min_data_in_leaf": 10, "learning_rate": 0.1}
    informed = GlobalLGBMForecaster(programmes=PROGRAMMES, **fast).fit(df).predict()
    blind = GlobalLGBMForecaster(**fast).fit(df[["unique_id", "ds", "y"]]).predict()
    covered = informed["unique_id"].isin([f"s{k:02d}" for k in range(3, 40, 4)])
    last_year = df[df["ds"] > MONTHS[-13]].groupby("unique_id")["y"].mean()

    def growth(fc, mask):
        h6 = fc[mask & (fc["ds"] == fc["ds"].max())].set_index("unique_id")["mean"]
        return float((h6 / last_year.reindex(h6.index)).mean())

    assert growth(informed, covered) > 1.3  # the programme ramps to +50%
    assert growth(blind, covered) < 1.15
    assert 0.85 < growth(informed, ~covered) < 1.15
    truth = pd.Series(expected[:, -1], index=[f"s{k:02d}" for k in range(40)])

    def error(fc):
        h6 = fc[fc["ds"] == fc["ds"].max()].set_index("unique_id")["mean"]
        return float((h6 - truth.reindex(h6.index)).abs().mean())

    assert error(informed) < error(blind)


def test_a_saved_forecaster_keeps_its_calendar(tmp_path):
    df, _ = _market(seed=1)
    model = GlobalLGBMForecaster(horizon=6, n_estimators=30, programmes=PROGRAMMES).fit(df)
    save_forecaster(model, tmp_path / "v1")
    loaded = load_forecaster(tmp_path / "v1")
    assert loaded.programmes == PROGRAMMES
    assert np.allclose(loaded.predict()["mean"], model.predict()["mean"])


def test_programmes_need_the_industry_and_segment_of_each_series():
    df, _ = _market()
    with pytest.raises(InvalidInput, match="segment"):
        GlobalLGBMForecaster(horizon=6, programmes=PROGRAMMES).fit(df.drop(columns="segment"))


def test_calendar_file_errors_name_the_entry_and_the_field(tmp_path):
    path = tmp_path / "programmes.csv"
    path.write_text(
        "code,industry_code,segment_code,start_month,ramp_months\n"
        "P1,BIO,BIO-1,2024-03,6\n"
        "P2,BIO,,2024-13,6\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match=r"programmes.csv entry 2: start_month must be YYYY-MM") as err:
        load_programmes(path)
    assert err.value.field == "start_month"
    path.write_text(
        "code,industry_code,segment_code,start_month,ramp_months\nP1,BIO,,2024-03,6\n", encoding="utf-8"
    )
    assert load_programmes(path) == (
        {
            "code": "P1",
            "industry_code": "BIO",
            "segment_code": None,
            "start_month": "2024-03",
            "ramp_months": 6,
        },
    )
