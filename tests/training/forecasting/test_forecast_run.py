"""The production forecast run: every level adds up, shortages carry reasons, versions never overwrite and
serve only when promoted."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from models import forecast_registry
from models.errors import ArtifactIncompatible, Conflict
from models.forecast_artifact import BOTTOM, FILES, resolve_level
from models.forecast_store import ForecastRun
from models.forecasting.lgbm import GlobalLGBMForecaster
from models.forecasting.reconcile import BottomUpForecaster, Hierarchy
from models.storage.database import transaction
from tests.conftest import REFERENCE_DIR, reference_taxonomy
from tests.forecast_factory import FAST_PARAMS, HORIZON, tiny_store_database
from training.forecasting.levels import check_levels, node_table, reconcile_levels
from training.forecasting.run import run_forecast
from training.forecasting.synthetic import synthetic_panel
from training.forecasting.train import ARTIFACT_KIND

NOW = datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A migrated SQLite database holding the tiny store, and a home for artifacts."""
    home = tmp_path_factory.mktemp("home")
    with tiny_store_database(home / "run.db") as tiny:
        yield {"factory": tiny.factory, "home": home, "url": tiny.url, "scope": tiny.scope}


@pytest.fixture(scope="module")
def first_run(store):
    return run_forecast(
        store["factory"],
        reference_dir=REFERENCE_DIR,
        artifacts_dir=store["home"] / "artifacts",
        horizon=HORIZON,
        params=FAST_PARAMS,
        now=NOW,
    )


def test_level_reconciliation_matches_the_bottom_up_forecaster():
    df = synthetic_panel(12, 48, seed=3, short_fraction=0)[["unique_id", "ds", "y"]]
    k = df["unique_id"].str[1:].astype(int)
    df = df.assign(
        zone=np.where(k % 2 == 0, "z1", "z2"),
        segment="s" + (k % 3).astype(str),
        occupation="o" + k.astype(str),
        district="d",
        industry="i",
        cluster="c",
    )
    model = GlobalLGBMForecaster(horizon=3, n_estimators=10, min_data_in_leaf=5)
    levels = (("zone",), ("segment",), ("zone", "segment"), ())
    fitted = BottomUpForecaster(model, Hierarchy(levels)).fit(df)
    theirs = fitted.predict()
    ours = reconcile_levels(fitted.base_, node_table(df, (("zone", "segment", "occupation"), *levels)))
    cols = ["mean", "lo80", "hi80", "lo95", "hi95"]
    upper_theirs = theirs[theirs["level"] != "bottom"].set_index(["unique_id", "ds"]).sort_index()
    upper_ours = ours[ours["level"] != BOTTOM].set_index(["unique_id", "ds"]).sort_index()
    assert len(upper_ours) == len(upper_theirs)
    assert np.allclose(
        upper_ours[cols].to_numpy(), upper_theirs.loc[upper_ours.index, cols].to_numpy(), atol=1e-9
    )


def test_a_run_writes_every_level_coherently_with_ordered_intervals(first_run):
    d = first_run.path
    assert all((d / f).is_file() for f in FILES) and (d / "postings" / "model.txt").is_file()
    fc = pd.read_parquet(d / "forecasts.parquet")
    nodes = pd.read_parquet(d / "nodes.parquet")
    levels = set(fc["level"])
    assert {BOTTOM, "total", "zone", "district", "segment/occupation", "industry", "cluster"} <= levels
    for target, frame in fc.groupby("target"):
        members = _membership(nodes, frame)
        assert check_levels(frame.rename(columns={"node": "unique_id"}), members) <= 1e-6, target
    v = fc[["lo95", "lo80", "mean", "hi80", "hi95"]].to_numpy()
    assert (np.diff(v, axis=1) >= -1e-9).all()
    assert sorted(fc["h"].unique()) == list(range(1, HORIZON + 1))


def test_tiny_store_forecasts_follow_the_history_level_not_zero(first_run):
    """A store of 8 series (20–120 postings a month) once got all-zero forecasts from the L1 booster."""
    d = first_run.path
    fc = pd.read_parquet(d / "forecasts.parquet")
    hist = pd.read_parquet(d / "history.parquet")
    bottom = fc[fc["level"] == BOTTOM]
    last = (
        hist[hist["level"] == BOTTOM]
        .sort_values("ds")
        .groupby(["target", "node"])["y"]
        .apply(lambda y: y.iloc[-12:].mean())
    )
    mean = bottom.groupby(["target", "node"])["mean"].mean()
    assert (last > 0).all()
    ratio = (mean / last.reindex(mean.index)).to_numpy()
    assert (ratio > 0.5).all() and (ratio < 2.0).all(), ratio


def _membership(nodes: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Each node's bottom members, from the dimension columns (what the tests trust, not the writer's)."""
    bottom = nodes[nodes["level"] == BOTTOM]
    rows = []
    for r in nodes.itertuples(index=False):
        cols = [] if r.level == "total" else r.level.split("/")
        mask = np.ones(len(bottom), dtype=bool)
        for c in cols:
            mask &= bottom[c].to_numpy() == getattr(r, c)
        rows += [(r.level, r.node, s) for s in bottom["node"].to_numpy()[mask]]
    return pd.DataFrame(rows, columns=["level", "node", "series"])


def test_a_run_card_names_window_features_parameters_versions_and_hash(first_run):
    card = json.loads((first_run.path / "card.json").read_text())
    assert card["layout"] == "forecast_run" and card["horizon"] == HORIZON
    assert card["data_window"]["start"] == "2020-01-01" and card["data_window"]["n_series"] == 8
    assert card["features"] and card["parameters"]["n_estimators"] == FAST_PARAMS["n_estimators"]
    assert card["parameters"]["objective"] == "l1"  # the tuned store parameters underneath the overrides
    assert {"lightgbm", "pandas"} <= set(card["library_versions"])
    assert all(len(h) == 64 for h in card["data_sha256"].values())


def test_the_first_run_serves_and_later_runs_wait_for_promotion(store, first_run):
    assert first_run.serving
    later = run_forecast(
        store["factory"],
        reference_dir=REFERENCE_DIR,
        artifacts_dir=store["home"] / "artifacts",
        horizon=HORIZON,
        params=FAST_PARAMS,
        now=datetime(2026, 11, 24, 11, 0, 0, tzinfo=UTC),
    )
    assert not later.serving
    with store["factory"]() as session:
        assert forecast_registry.serving(session).version == first_run.version
    with transaction(store["factory"]) as session:
        forecast_registry.promote(session, later.version)
    with store["factory"]() as session:
        assert forecast_registry.serving_pointer(session)[0] == later.version
        assert [v.serving for v in forecast_registry.list_versions(session)].count(True) == 1
    with pytest.raises(Conflict, match="never overwritten"):
        run_forecast(
            store["factory"],
            reference_dir=REFERENCE_DIR,
            artifacts_dir=store["home"] / "artifacts",
            horizon=HORIZON,
            params=FAST_PARAMS,
            now=NOW,
        )


def test_shortages_rank_every_occupation_with_reasons_in_both_languages(first_run, store):
    run = ForecastRun.load(first_run.path)
    scope = store["scope"]
    report = run.shortages(reference_taxonomy(), industry=scope["industry"], horizon=HORIZON)
    ranked = [s for s in report.segments if s.occupations]
    assert {s.segment for s in ranked} == set(scope["segments"])
    for block in ranked:
        p = [(r.record["p_short"], r.record["score"]) for r in block.occupations]
        assert p == sorted(p, reverse=True)
        assert all(
            "shortage index" in r.record["reason_en"] and "求人倍率" in r.record["reason_zh"]
            for r in block.occupations
        )


def test_a_single_model_artifact_is_refused_for_serving(tmp_path):
    (tmp_path / "card.json").write_text(json.dumps({"kind": "forecaster", "class": "GlobalLGBMForecaster"}))
    with pytest.raises(ArtifactIncompatible, match="forecast train --store"):
        ForecastRun.load(tmp_path)


def test_a_filter_finer_than_the_level_is_refused_naming_it():
    from models.errors import InvalidInput

    assert resolve_level("segment", {"zone": "z"}) == ("zone", "segment")
    assert resolve_level("zone", {"occupation": "o"}) == ("zone", "segment", "occupation")
    with pytest.raises(InvalidInput) as err:
        resolve_level("industry", {"segment": "s"})
    assert err.value.field == "segment"


def test_cli_train_store_then_promote_and_list(store, tmp_path, monkeypatch):
    from talentcluster.cli import app

    monkeypatch.setenv("TALENTCLUSTER_HOME", str(store["home"]))
    monkeypatch.setenv("TALENTCLUSTER_DATABASE_URL", store["url"])
    monkeypatch.setenv("TALENTCLUSTER_FORECAST_PARAMS", json.dumps(FAST_PARAMS))
    runner = CliRunner()
    res = runner.invoke(
        app, ["forecast", "train", "--store", "--horizon", str(HORIZON), "--jobs", "1", "--progress", "json"]
    )
    assert res.exit_code == 0, res.output
    result = json.loads(res.stdout.strip().splitlines()[-1])["result"]
    assert result["serving"] is False  # an earlier run serves already
    res = runner.invoke(app, ["forecast", "promote", result["version"]])
    assert res.exit_code == 0, res.output
    listing = runner.invoke(app, ["forecast", "versions"]).stdout
    assert f"* {result['version']}" in listing
    res = runner.invoke(app, ["forecast", "promote", "no-such-version"])
    assert res.exit_code == 2


def test_a_store_run_reads_the_installations_programme_calendar(tmp_path, monkeypatch):
    from talentcluster.cli import app

    home = tmp_path / "home"
    home.mkdir()
    # Its own database: the module's may already hold a version named for this very second.
    with tiny_store_database(home / "run.db") as tiny:
        segment = tiny.scope["segments"][0]
        (home / "programmes.csv").write_text(
            "code,industry_code,segment_code,start_month,ramp_months\n"
            f"PRG-01,{tiny.scope['industry']},{segment},2023-09,6\n",  # phasing in at the origin 2023-12
            encoding="utf-8",
        )
        monkeypatch.setenv("TALENTCLUSTER_HOME", str(home))
        monkeypatch.setenv("TALENTCLUSTER_DATABASE_URL", tiny.url)
        monkeypatch.setenv("TALENTCLUSTER_FORECAST_PARAMS", json.dumps(FAST_PARAMS))
        args = ["forecast", "train", "--store", "--horizon", str(HORIZON), "--jobs", "1"]
        args += ["--progress", "json"]
        res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    version = json.loads(res.stdout.strip().splitlines()[-1])["result"]["version"]
    card = json.loads((home / "artifacts" / ARTIFACT_KIND / version / "card.json").read_text())
    assert {"programme_ramp", "programme_ramp_change"} <= set(card["features"])
    assert [p["segment_code"] for p in card["parameters"]["programmes"]] == [segment]
    shortages = pd.read_parquet(home / "artifacts" / ARTIFACT_KIND / version / "shortages.parquet")
    named = shortages["reason_en"].str.contains("talent programme PRG-01 phasing in 2023-09 → 2024-02")
    assert named.any() and shortages.loc[named, "reason_zh"].str.contains("人才专项计划PRG-01").all()
    nodes = pd.read_parquet(home / "artifacts" / ARTIFACT_KIND / version / "nodes.parquet")
    in_chain = nodes["segment"].eq(segment) | (nodes["segment"].isna() & nodes["industry"].notna())
    assert set(shortages.loc[named, "node"]) == set(shortages["node"]) & set(nodes.loc[in_chain, "node"])


def test_a_version_registered_from_another_home_is_a_conflict(store, first_run, tmp_path):
    with pytest.raises(Conflict, match="already registered"):
        run_forecast(
            store["factory"],
            reference_dir=REFERENCE_DIR,
            artifacts_dir=tmp_path / "other-home" / "artifacts",
            horizon=HORIZON,
            params=FAST_PARAMS,
            now=NOW,
        )
    assert not (tmp_path / "other-home" / "artifacts" / ARTIFACT_KIND / first_run.version).exists()


def test_a_run_with_cutoffs_keeps_its_backtest_report_beside_the_card(store):
    result = run_forecast(
        store["factory"],
        reference_dir=REFERENCE_DIR,
        artifacts_dir=store["home"] / "artifacts",
        horizon=HORIZON,
        n_cutoffs=1,
        params=FAST_PARAMS,
        promote="never",
        now=datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC),
    )
    report = json.loads((result.path / "backtest.json").read_text())
    assert set(report) == {"postings", "job_seekers"}
    assert {"lgbm_global", "seasonal_naive"} <= set(report["postings"]["models"])
    assert result.card["metrics"]["backtest"]["postings"]["models"]["lgbm_global"]["mase"] > 0
    with store["factory"]() as session:
        row = forecast_registry.get_version(session, result.version)
        assert not row.serving and forecast_registry.backtest_report(row) == report
