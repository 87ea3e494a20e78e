"""The simulated store's observations as forecasting input: ids, hierarchy, truth scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.errors import InvalidInput
from models.forecasting.group_inputs import group_momentum
from models.forecasting.reconcile import Hierarchy
from models.settings import Settings
from models.taxonomy import Taxonomy
from training.forecasting import store
from training.forecasting.backtest import truth_backtest
from training.forecasting.shortage_backtest import shortage_ranking_backtest

REF = Settings().reference_dir
FAST = {"n_estimators": 20, "min_data_in_leaf": 5, "group_features": ("occupation", "industry")}


def _store_rows(n_months: int = 60, seed: int = 0) -> pd.DataFrame:
    tax = Taxonomy.load(REF)
    links = tax.segment_occupations[:6]
    rng = np.random.default_rng(seed)
    months = pd.period_range("2018-01", periods=n_months, freq="M").astype(str)
    rows = []
    for link in links:
        industry = tax.segments[link.segment_code].industry_code
        zone = next(zi.zone_code for zi in tax.zone_industries if zi.industry_code == industry)
        level = rng.uniform(20, 200)
        for t, m in enumerate(months):
            rows.append(
                {
                    "zone_code": zone,
                    "segment_code": link.segment_code,
                    "occupation_code": link.occupation_code,
                    "month": m,
                    "postings": int(rng.poisson(level * (1 + 0.2 * np.sin(t / 2)))),
                    "job_seekers": int(rng.poisson(level)),
                }
            )
    df = pd.DataFrame(rows).drop_duplicates(["zone_code", "segment_code", "occupation_code", "month"])
    return df.astype({"postings": "Int64", "job_seekers": "Int64"})


def test_store_rows_become_long_series_with_taxonomy_hierarchy():
    raw = _store_rows()
    raw.loc[3, "postings"] = pd.NA
    df = store.store_to_long(raw, REF)
    assert list(df.columns[:3]) == ["unique_id", "ds", "y"]
    assert set(store.HIERARCHY) <= set(df.columns)
    assert df["unique_id"].str.count(r"\|").eq(2).all()
    assert len(df) == len(raw) - 1  # an empty value is a missing month, never zero
    assert (df["city"] == store.CITY).all()
    assert df.groupby("segment")["industry"].nunique().max() == 1


def test_unknown_codes_and_targets_are_rejected_by_name():
    raw = _store_rows(24)
    with pytest.raises(InvalidInput, match="target"):
        store.store_to_long(raw, REF, target="salary")
    raw.loc[0, "zone_code"] = "atlantis"
    with pytest.raises(InvalidInput, match="atlantis"):
        store.store_to_long(raw, REF)


def test_group_momentum_reads_no_month_after_the_origin():
    rng = np.random.default_rng(1)
    v = rng.uniform(1, 10, (5, 40))
    codes = np.array([0, 0, 1, 1, 1])
    a = group_momentum(v, codes, "g")
    w = v.copy()
    w[:, 30:] = 1e6
    b = group_momentum(w, codes, "g")
    for k in a:
        np.testing.assert_array_equal(a[k][:, :30], b[k][:, :30])


def test_truth_backtest_scores_the_months_after_the_last_observation():
    raw = _store_rows(60)
    df = store.store_to_long(raw, REF)
    seen = df[df["ds"] < "2022-01-01"]
    truth = df[df["ds"] >= "2022-01-01"][["unique_id", "ds", "y"]]
    from models.forecasting.baselines import SeasonalNaive
    from models.forecasting.lgbm import GlobalLGBMForecaster

    models = [GlobalLGBMForecaster(horizon=6, **FAST), SeasonalNaive(horizon=6)]
    hier = Hierarchy.from_columns(list(store.HIERARCHY), total=False)
    rep = truth_backtest(seen, truth, 6, models=models, hierarchy=hier).report
    assert rep["cutoffs"] == ["2021-12-01"]
    assert set(rep["models"]) == {"lgbm_global", "seasonal_naive"}
    assert "city" in rep["per_level"]["lgbm_global"]
    assert rep["models"]["lgbm_global"]["n"] == 6 * 6


def test_shortage_ranking_against_truth_adds_the_final_origin():
    raw = _store_rows(60)
    demand = store.store_to_long(raw, REF)
    supply = store.store_to_long(raw, REF, "job_seekers")
    truth = demand[["unique_id", "ds"]].assign(structural_shortage_index=2.0)
    seen_d, seen_s = (f[f["ds"] < "2022-01-01"] for f in (demand, supply))
    rep = shortage_ranking_backtest(seen_d, seen_s, 6, n_cutoffs=1, k=3, params=FAST, truth=truth)
    assert [r["origin"] for r in rep["per_cutoff"]] == ["backtest", "truth"]
    assert rep["truth"]["model"]["precision_at_k"] == 1.0


def test_node_ranking_scores_occupation_segment_nodes_against_all_and_newly_short():
    raw = _store_rows(60)
    demand = store.store_to_long(raw, REF)
    supply = store.store_to_long(raw, REF, "job_seekers")
    truth = demand[["unique_id", "ds", "segment"]].assign(job_seekers=10.0, structural_shortage_index=1.0)
    late = (truth["ds"] >= "2021-07-01") & (truth["segment"] == truth["segment"].iloc[0])
    truth.loc[late, "structural_shortage_index"] = 3.0  # one segment becomes short after the cut-off
    seen_d, seen_s = (f[f["ds"] < "2022-01-01"] for f in (demand, supply))
    frames: list = []
    rep = shortage_ranking_backtest(
        seen_d, seen_s, 6, n_cutoffs=1, k=3, params=FAST, truth=truth, ks=(2,), new_ks=(2,), frames=frames
    )
    r = rep["per_cutoff"][0]["ranking"]
    assert r["level"] == "occupation/segment" and r["n_nodes"] == 6
    assert r["n_short"] == r["n_newly_short"] >= 1  # nobody was short in the year before the cut-off
    for measure in ("all_short", "newly_short"):
        for who in ("model", "last_year_list"):
            assert 0.0 <= r[measure]["2"][who]["precision"] <= 1.0
    assert rep["ranking_mean"]["n_cutoffs"] == 1 and "newly short" in rep["definition"]
    assert {"p_short", "true_index", "truly_short", "newly_short", "industry"} <= set(frames[0].columns)
