"""`forecast train` writes a new versioned artifact; `forecast backtest` writes the contract report."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from models.errors import Conflict
from models.forecasting.persistence import latest_version, load_forecaster
from training.forecasting.synthetic import synthetic_panel
from training.forecasting.train import train_forecaster

FAST = {"n_estimators": 20, "min_data_in_leaf": 10}
NOW = datetime(2026, 11, 24, 10, 0, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def df():
    return synthetic_panel(10, 48, seed=4, short_fraction=0)


def test_train_writes_a_timestamped_version_with_a_card(df, tmp_path):
    path = train_forecaster(lambda: df, tmp_path, horizon=3, n_cutoffs=0, params=FAST, now=NOW)
    assert path == tmp_path / "forecaster" / "2026-11-24T10-00-05Z"
    card = json.loads((path / "card.json").read_text())
    assert card["data_window"] == {"start": "2016-01-01", "end": "2019-12-01", "n_series": 10}
    assert len(card["data_sha256"]) == 64
    assert load_forecaster(latest_version(tmp_path / "forecaster")).predict().shape[0] == 30


def test_train_never_overwrites_an_existing_version(df, tmp_path):
    train_forecaster(lambda: df, tmp_path, horizon=3, n_cutoffs=0, params=FAST, now=NOW)
    with pytest.raises(Conflict, match="never overwritten"):
        train_forecaster(lambda: df, tmp_path, horizon=3, n_cutoffs=0, params=FAST, now=NOW)


def test_train_puts_backtest_metrics_in_the_card(df, tmp_path):
    path = train_forecaster(lambda: df, tmp_path, horizon=3, n_cutoffs=1, params=FAST, now=NOW)
    card = json.loads((path / "card.json").read_text())
    assert set(card["metrics"]["backtest"]["models"]) == {"lgbm_global", "seasonal_naive", "auto_ets"}


def test_cli_backtest_and_train(df, tmp_path, monkeypatch):
    from talentcluster.cli import app

    monkeypatch.setenv("TALENTCLUSTER_HOME", str(tmp_path / "home"))
    csv = tmp_path / "series.csv"
    df.to_csv(csv, index=False)
    report = tmp_path / "out" / "report.json"
    runner = CliRunner()
    res = runner.invoke(
        app,
        [
            "forecast",
            "backtest",
            "--input",
            str(csv),
            "--horizon",
            "3",
            "--report",
            str(report),
            "--cutoffs",
            "3",
        ],
    )
    assert res.exit_code == 0, res.output
    rep = json.loads(report.read_text())
    assert rep["horizon"] == 3
    assert {"lgbm_global", "seasonal_naive", "auto_ets"} <= set(rep["models"])
    res = runner.invoke(app, ["forecast", "train", "--input", str(csv), "--horizon", "3", "--cutoffs", "0"])
    assert res.exit_code == 0, res.output
    assert list((tmp_path / "home" / "artifacts" / "forecaster").iterdir())


def test_cli_reports_bad_input_as_one_line_and_exit_2(tmp_path):
    from talentcluster.cli import app

    csv = tmp_path / "bad.csv"
    csv.write_text("unique_id,ds,value\na,2020-01-01,1\n")
    res = CliRunner().invoke(
        app,
        ["forecast", "backtest", "--input", str(csv), "--horizon", "3", "--report", str(tmp_path / "r.json")],
    )
    assert res.exit_code == 2
    assert "missing column" in res.output


def test_cli_train_reads_a_programme_calendar_for_a_long_file(df, tmp_path, monkeypatch):
    from talentcluster.cli import app

    monkeypatch.setenv("TALENTCLUSTER_HOME", str(tmp_path / "home"))
    calendar = tmp_path / "programmes.csv"
    calendar.write_text("code,industry_code,segment_code,start_month,ramp_months\nP1,A,A-1,2018-03,6\n")
    bare, csv = tmp_path / "bare.csv", tmp_path / "series.csv"
    df.to_csv(bare, index=False)
    df.assign(industry="A", segment=["A-1" if int(u[1:]) % 2 else "A-2" for u in df["unique_id"]]).to_csv(
        csv, index=False
    )
    args = ["forecast", "train", "--horizon", "3", "--cutoffs", "1", "--programmes", str(calendar)]
    runner = CliRunner()
    res = runner.invoke(app, [*args, "--input", str(bare)])
    assert res.exit_code == 2 and "industry" in res.output  # the columns a programme is matched on
    res = runner.invoke(app, [*args, "--input", str(csv)])
    assert res.exit_code == 0, res.output
    card = json.loads(
        (latest_version(tmp_path / "home" / "artifacts" / "forecaster") / "card.json").read_text()
    )
    assert [p["code"] for p in card["parameters"]["programmes"]] == ["P1"]
    assert "programme_ramp" in card["features"]
