"""The simulator's files go through `data import` unchanged, on the shipped reference data."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from typer.testing import CliRunner

from models.storage import orm
from models.storage.database import make_engine, session_factory
from models.storage.observations import read_observations
from talentcluster.cli import app


def test_data_simulate_writes_files_and_loads_them_into_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv("TALENTCLUSTER_HOME", str(tmp_path))
    result = CliRunner().invoke(
        app,
        ["data", "simulate", "--seed", "3", "--profiles", "300", "--start", "2022-06", "--cutoff", "2024-06"],
    )
    assert result.exit_code == 0, result.output
    out = tmp_path / "sim" / "seed-3"
    observed = pd.read_parquet(out / "observations.parquet")
    factory = session_factory(make_engine(f"sqlite:///{tmp_path / 'talentcluster.db'}"))
    with factory() as session:
        stored = read_observations(session)
        assert session.scalar(select(func.count()).select_from(orm.TalentProfile)) == 300
        assert session.scalar(select(func.count()).select_from(orm.Project)) == 15
        with_pii = session.scalar(
            select(func.count()).select_from(orm.TalentPII).where(orm.TalentPII.name != "")
        )
    assert len(stored) == len(observed)
    assert stored["month"].max() == pd.Timestamp("2024-06-01")  # the hidden 24 months stay hidden
    assert stored["postings"].isna().sum() == observed["postings"].isna().sum()  # missing stays missing
    assert with_pii == 300
