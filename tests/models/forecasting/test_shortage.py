"""Shortage index, probability, score and reasons."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.forecasting.shortage import ShortageRule, assess_shortage, shortage_index, shortage_probability

MONTHS = pd.date_range("2024-01-01", periods=6, freq="MS")


def _fc(level: dict[str, float], spread: float = 0.1) -> pd.DataFrame:
    rows = []
    for uid, m in level.items():
        for d in MONTHS:
            w80, w95 = 1.2816 * spread * m, 1.96 * spread * m
            rows.append((uid, d, m, m - w80, m + w80, m - w95, m + w95))
    return pd.DataFrame(rows, columns=["unique_id", "ds", "mean", "lo80", "hi80", "lo95", "hi95"])


def _history(level: dict[str, float]) -> pd.DataFrame:
    ds = pd.date_range("2022-01-01", "2023-12-01", freq="MS")
    return pd.DataFrame([(u, d, v) for u, v in level.items() for d in ds], columns=["unique_id", "ds", "y"])


def test_shortage_index_is_postings_over_job_seekers_with_a_floor():
    np.testing.assert_allclose(shortage_index([30, 5, 4], [20, 0, 8]), [1.5, 5.0, 0.5])


def test_probability_rises_with_demand_and_is_near_certain_far_from_the_threshold():
    demand = _fc({"low": 50, "mid": 150, "high": 400})
    supply = _fc({"low": 100, "mid": 100, "high": 100})
    p = shortage_probability(demand, supply, threshold=1.5).set_index("unique_id")["p_short"]
    assert p["low"] < 0.01 and p["high"] > 0.99 and 0.2 < p["mid"] < 0.8


def test_probability_reads_the_spread_not_the_offset_of_an_interval_moved_off_its_point():
    demand, supply = _fc({"mid": 170}), _fc({"mid": 100})
    moved = demand.assign(**{c: demand[c] + 6.0 for c in ("lo80", "hi80", "lo95", "hi95")})  # an aggregate's
    p = [shortage_probability(d, supply, threshold=1.5, seed=1)["p_short"].iloc[0] for d in (demand, moved)]
    assert 0.6 < p[0] < 0.99 and p[1] == pytest.approx(p[0], abs=1e-12)


def test_score_rule_renormalises_missing_indicators():
    demand, supply = _fc({"a": 250}), _fc({"a": 100})
    out = assess_shortage(_history({"a": 200}), demand, _history({"a": 100}), supply)
    # index 2.5 = ratio_full: the ratio sub-score is 1, and it is the only indicator available
    assert out.loc[0, "s_index"] == pytest.approx(1.0)
    assert out.loc[0, "score"] == pytest.approx(1.0)
    assert bool(out.loc[0, "flagged"])


def test_reasons_name_the_drivers_in_english_and_chinese():
    demand, supply = _fc({"bio": 276, "fin": 100}), _fc({"bio": 100, "fin": 100})
    hist_d, hist_s = _history({"bio": 200, "fin": 100}), _history({"bio": 100, "fin": 100})
    ind = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": "bio",
                    "ds": pd.date_range("2022-01-01", periods=24, freq="MS"),
                    "days_to_fill": [61.0] * 12 + [84.0] * 12,
                    "wage": [100.0] * 12 + [107.0] * 12,
                }
            ),
        ]
    )
    out = assess_shortage(
        hist_d,
        demand,
        hist_s,
        supply,
        indicators=ind,
        labels={"bio": ("biomedicine R&D", "生物医药研发")},
        rule=ShortageRule(),
    )
    bio = out.set_index("unique_id").loc["bio"]
    assert out["unique_id"].iloc[0] == "bio"  # ranked first
    assert "postings +38% y/y" in bio["reason_en"]
    assert "job seekers flat" in bio["reason_en"]
    assert "days-to-fill 61 → 84" in bio["reason_en"]
    assert "biomedicine R&D" in bio["reason_en"]
    assert "岗位需求同比增长38%" in bio["reason_zh"] and "求职人数基本持平" in bio["reason_zh"]
    assert "由61天增至84天" in bio["reason_zh"] and "求人倍率" in bio["reason_zh"]
