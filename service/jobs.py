"""The service's background jobs: a forecast run (bureau) and a matching-index build (admin), each a
child process (``models.jobs.JobRunner``); their records share ``<home>/jobs``."""

from __future__ import annotations

import json
import sys

from fastapi import FastAPI

from models.jobs import JobRunner
from models.settings import Settings

# Child processes, not imports: the service never imports the training code (import-linter contract).
RETRAIN_COMMAND = ("-m", "talentcluster", "forecast", "train", "--store", "--progress", "json", "--jobs", "1")
# One thread: the build shares the machine with the serving workers.
INDEX_BUILD_COMMAND = ("-m", "talentcluster", "match", "build-index", "--progress", "json", "--threads", "1")


def job_env(settings: Settings) -> dict[str, str]:
    """The child's settings: those this app was built with (which need not come from the environment)."""
    return {
        "TALENTCLUSTER_HOME": str(settings.home),
        "TALENTCLUSTER_DATABASE_URL": settings.resolved_database_url,
        "TALENTCLUSTER_REFERENCE_DIR": str(settings.reference_dir),
        "TALENTCLUSTER_FORECAST_HORIZON": str(settings.forecast_horizon),
        "TALENTCLUSTER_FORECAST_PARAMS": json.dumps(settings.forecast_params),
        "TALENTCLUSTER_EMBEDDING_MODEL": settings.embedding_model,
        "TALENTCLUSTER_EMBEDDING_PRECISION": settings.embedding_precision,
        "HF_HUB_OFFLINE": "1",
    }


def install(app: FastAPI, settings: Settings) -> None:
    """``app.state.jobs`` (forecast runs) and ``app.state.index_jobs`` (index builds)."""
    directory, env = settings.home / "jobs", job_env(settings)
    app.state.jobs = JobRunner(directory, [sys.executable, *RETRAIN_COMMAND], kind="retrain", env=env)
    app.state.index_jobs = JobRunner(
        directory, [sys.executable, *INDEX_BUILD_COMMAND], kind="index-build", env=env
    )
