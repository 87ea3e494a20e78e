"""The generative model's features are visible in aggregated data (docs/simulator.md)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from training.simulate.calendar import spring_festival


@pytest.fixture(scope="module")
def truth(simulated):
    frame = pd.read_parquet(simulated[0] / "truth/observations.parquet")
    frame["year"] = frame["month"].str[:4].astype(int)
    frame["mon"] = frame["month"].str[5:].astype(int)
    return frame


def city(truth, column="postings", **where):
    rows = truth
    for key, value in where.items():
        rows = rows[rows[key].isin(value)]
    return rows.groupby(["year", "mon"])[column].sum().unstack()


def typical_share(truth, column="expected_postings"):
    """[year × month]: the median over series of the month's value ÷ that series' yearly mean.

    Medians keep one occupation's hot episode from swamping the calendar effects in a small taxonomy.
    """
    key = ["zone_code", "segment_code", "occupation_code", "year"]
    share = truth[column] / truth.groupby(key)[column].transform("mean")
    return share.groupby([truth["year"], truth["mon"]]).median().unstack()


def test_hiring_peaks_in_march_april_and_september_october(truth):
    share = typical_share(truth).loc[2016:2019]
    assert (share[[3, 4, 9, 10]] > 1.03).all().all()
    assert (
        city(truth).loc[2016:2019][[3, 4, 9, 10]].mean() > city(truth).loc[2016:2019].mean(axis=1).mean()
    ).all()


def test_spring_festival_month_is_a_trough_that_moves_with_the_lunar_calendar(truth):
    share = typical_share(truth)
    for year in range(2016, 2024):
        assert share.loc[year, spring_festival(year).month] < 0.85, year
    # 2018: festival on 16 Feb (February trough, January normal); 2023: on 22 Jan (January trough).
    assert share.loc[2018, 2] < 0.7 < share.loc[2018, 1]
    assert share.loc[2023, 1] < share.loc[2023, 2]


def test_graduates_lift_job_seekers_in_july_to_september(truth, tiny_taxonomy):
    graduate_heavy = [
        c for c, o in tiny_taxonomy.occupations.items() if o.typical_education in ("master", "doctorate")
    ]
    seekers = city(truth, "job_seekers", occupation_code=graduate_heavy).loc[2016:2023]
    summer, rest = seekers[[7, 8, 9]].mean(axis=1), seekers[[1, 2, 3, 4, 5, 6, 10, 11, 12]].mean(axis=1)
    assert (summer > 1.15 * rest).all()


def test_2020_shock_cuts_february_to_april_postings(truth):
    key = ["zone_code", "segment_code", "occupation_code"]
    by_series = truth.pivot_table(index=key, columns="month", values="expected_postings")
    for month, most in (("02", 0.75), ("03", 0.75), ("04", 0.9)):
        assert (by_series[f"2020-{month}"] / by_series[f"2019-{month}"]).median() < most, month
    assert (by_series["2020-10"] / by_series["2019-10"]).median() > 0.9  # recovered by the autumn
    observed = city(truth)
    assert observed.loc[2020, [2, 3, 4]].sum() < 0.9 * observed.loc[2019, [2, 3, 4]].sum()


def test_a_programme_lifts_its_chain_after_it_starts(truth, simulated):
    programmes = json.loads((simulated[0] / "truth/programmes.json").read_text(encoding="utf-8"))
    assert programmes and all({"start_month", "lift", "industry_code"} <= set(p) for p in programmes)
    p = programmes[0]
    target = (
        truth[truth["segment_code"] == p["segment_code"]]
        if p["segment_code"]
        else truth[truth["industry_code"] == p["industry_code"]]
    )
    lift = target.groupby("month")["programme_lift"].max()
    assert lift[lift.index < p["start_month"]].eq(1).all()
    assert lift.iloc[-1] >= 1 + p["lift"] - 1e-6
    before = target[target["month"] < p["start_month"]]["programme_lift"]
    assert before.eq(1).all()


def test_shortage_index_is_mostly_moderate_with_a_short_minority_that_changes(truth):
    yearly = truth.groupby(["occupation_code", "year"])[["expected_postings", "expected_job_seekers"]].sum()
    ratio = (yearly["expected_postings"] / yearly["expected_job_seekers"]).unstack()
    city_ratio = (
        truth.groupby("year")["expected_postings"].sum() / truth.groupby("year")["expected_job_seekers"].sum()
    )
    assert city_ratio.between(0.6, 2.0).all() and 0.8 < city_ratio.median() < 1.6
    short = truth.groupby(["occupation_code", "year"])["is_short"].mean().unstack() > 0.5
    assert 0.02 < short.to_numpy().mean() < 0.5
    assert ratio.to_numpy().max() > 2
    # Which occupations are short changes: some year's list differs from the year before.
    assert any((short[y] != short[y - 1]).any() for y in short.columns[1:])


def test_days_to_fill_and_wages_rise_with_the_shortage(truth):
    history = truth[~truth["is_future"]]
    high = history["structural_shortage_index"] >= np.quantile(history["structural_shortage_index"], 0.8)
    low = history["structural_shortage_index"] <= np.quantile(history["structural_shortage_index"], 0.2)
    assert (
        history.loc[high, "expected_days_to_fill"].median()
        > history.loc[low, "expected_days_to_fill"].median()
    )
    by_year = history.groupby("year")["expected_wage_cny"].median()
    assert by_year.is_monotonic_increasing or by_year.iloc[-1] > 1.4 * by_year.iloc[0]
