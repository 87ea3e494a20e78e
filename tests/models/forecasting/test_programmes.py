"""Policy programmes as a known input: the calendar, its phase-in, and a forecaster that reads it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput
from models.forecasting.features import FeatureSpec, build_features, origin_scale
from models.forecasting.frames import month_index
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.persistence import load_forecaster, save_forecaster
from models.forecasting.programmes import ProgrammeInputs, check_programme, load_programmes, programme_notes

MONTHS = pd.date_range("2016-01-01", periods=84, freq="MS")
LIFT = 0.5


def _programme(code, segment, start, ramp=6, announced=None):
    row = {"code": code, "industry_code": "A", "segment_code": segment, "start_month": start}
    return check_programme({**row, "ramp_months": ramp, "announced_month": announced})


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
    horizon_ramp = np.zeros((40, len(MONTHS) + 6))  # the simulated truth, written out independently
    for p in PROGRAMMES:
        k = np.arange(len(MONTHS) + 6) - list(MONTHS.strftime("%Y-%m")).index(p["start_month"])
        horizon_ramp[segments == p["segment_code"]] += np.clip((k + 1) / p["ramp_months"], 0, 1)
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


def _month(label: str) -> int:
    return int(month_index(pd.DatetimeIndex([f"{label}-01"]))[0])


def test_phase_in_sums_the_programmes_covering_a_series_and_announced_by_the_origin():
    programmes = [
        _programme("S", "A-1", "2020-01", ramp=4),
        {**_programme("C", "A-1", "2020-03", ramp=2), "segment_code": None},  # the whole chain A
    ]
    inputs = ProgrammeInputs.build(programmes, np.array(["A", "A", "B"]), np.array(["A-1", "A-2", "B-1"]))
    months = _month("2019-12") + np.arange(6)
    origin = np.full(6, _month("2020-03"))  # both have started: both announced
    at = {i: inputs.phase_in(np.full(6, i), origin, months).tolist() for i in range(3)}
    assert at[0] == [0, 0.25, 0.5, 1.25, 2.0, 2.0]  # segment programme plus the chain's
    assert at[1] == [0, 0, 0, 0.5, 1.0, 1.0]  # the chain's only
    assert at[2] == [0] * 6  # another chain
    # Standing in 2020-02, the chain's programme (starting 2020-03, announced then) is not known yet.
    early = inputs.phase_in(np.full(6, 1), np.full(6, _month("2020-02")), months)
    assert early.tolist() == [0] * 6


def test_reasons_name_the_programmes_announced_and_moving_in_the_window():
    nodes = pd.DataFrame(
        {
            "node": ["seg A-1", "seg A-2", "chain A", "chain B", "zone z"],
            "industry": ["A", "A", "A", "B", None],
            "segment": ["A-1", "A-2", None, None, None],
        }
    )
    calendar = [
        _programme("NOW", "A-1", "2023-10", ramp=6),  # phasing in across the origin
        {**_programme("CHAIN", "A-1", "2024-06", announced="2023-11"), "segment_code": None},  # whole chain
        _programme("LATE", "A-1", "2025-06"),  # starts after the 12-month window
        _programme("OLD", "A-1", "2021-01"),  # fully phased in long before the last year
        _programme("SECRET", "A-2", "2024-03", announced="2024-02"),  # announced after the origin
    ]
    notes = programme_notes(calendar, nodes, origin=_month("2023-12"), horizon=12)
    codes = {node: [en.split()[2] for en, _ in ns] for node, ns in notes.items()}
    assert codes == {"seg A-1": ["NOW", "CHAIN"], "seg A-2": ["CHAIN"], "chain A": ["NOW", "CHAIN"]}
    assert notes["seg A-1"][0] == (
        "talent programme NOW phasing in 2023-10 → 2024-03",
        "人才专项计划NOW于2023-10至2024-03逐步落地",
    )


def test_features_at_an_origin_never_see_a_programme_announced_after_it():
    values = np.random.default_rng(0).uniform(10, 50, (2, 60))
    start, o = _month("2019-01"), 40  # origin 2022-05
    spec = FeatureSpec(programmes=True)
    cols = [spec.names.index("programme_ramp"), spec.names.index("programme_ramp_change")]

    def features(programme):
        inputs = ProgrammeInputs.build([programme], np.array(["A", "A"]), np.array(["A-1", "A-2"]))
        i, h = np.repeat([0, 1], 12), np.tile(np.arange(1, 13), 2)
        return build_features(
            spec, values, origin_scale(values), start, i, np.full(24, o), h, programmes=inputs
        )

    later = features(_programme("P", "A-1", "2022-08"))  # starts in the horizon, announced then
    assert (later[:, cols] == 0).all()
    ahead = features(_programme("P", "A-1", "2022-08", announced="2022-01"))  # announced before the origin
    assert ahead[11, cols[0]] == 1.0 and ahead[11, cols[1]] == 1.0  # ramped up by 2023-05, from 0
    assert (ahead[12:, cols] == 0).all()  # the other segment
    np.testing.assert_array_equal(np.delete(later, cols, axis=1), np.delete(ahead, cols, axis=1))


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
            "announced_month": "2024-03",  # by default, when it starts
        },
    )
