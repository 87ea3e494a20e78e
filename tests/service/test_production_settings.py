"""TALENTCLUSTER_ENV=production refuses development secrets at start-up; development and demo warn."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.errors import InvalidInput
from models.settings import DEVELOPMENT_SECRETS, Settings
from tests.service.conftest import LiveServer

REPO = Path(__file__).resolve().parents[2]


def test_production_refuses_the_development_pseudonym_key_naming_the_variable(tmp_path):
    with pytest.raises(InvalidInput) as refused:
        Settings(home=tmp_path, env="production")
    assert "TALENTCLUSTER_PSEUDONYM_KEY" in refused.value.message and "production" in refused.value.message
    assert refused.value.field == "pseudonym_key"
    assert (
        Settings(home=tmp_path, env="production", pseudonym_key="s3cret-of-our-own").development_secrets()
        == []
    )
    for env in ("development", "demo"):
        assert Settings(home=tmp_path, env=env).development_secrets() == ["pseudonym_key"]


def test_talentcluster_serve_in_production_exits_with_a_clear_error_before_listening(tmp_path):
    env = os.environ | {
        "TALENTCLUSTER_ENV": "production",
        "TALENTCLUSTER_HOME": str(tmp_path),
        "TALENTCLUSTER_PSEUDONYM_KEY": DEVELOPMENT_SECRETS["pseudonym_key"],
        "COLUMNS": "200",
    }
    run = subprocess.run(
        [sys.executable, "-m", "talentcluster", "serve", "--port", "1"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2, run.stderr
    assert "TALENTCLUSTER_PSEUDONYM_KEY" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "talentcluster.db").exists()  # refused before touching the database


def test_outside_production_the_service_starts_and_warns_about_the_development_key(tmp_path):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("talentcluster.settings")
    logger.addHandler(handler)
    try:
        settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", env="demo")
        with LiveServer(settings):
            pass
        with LiveServer(settings.model_copy(update={"pseudonym_key": "our-own"})):
            pass
    finally:
        logger.removeHandler(handler)
    warnings = [r.getMessage() for r in records if r.levelno == logging.WARNING]
    assert warnings == ["TALENTCLUSTER_PSEUDONYM_KEY is the development default; set your own"]
