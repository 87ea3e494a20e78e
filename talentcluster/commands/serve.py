"""`talentcluster serve` and `talentcluster demo`."""

from __future__ import annotations

import typer

from talentcluster.commands.common import console, domain_errors, settings

DEMO_SEED = 2012  # the policy's year


def log_config() -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "service.app.JsonFormatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "talentcluster": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        max=32,
        help="Worker processes: they share the read-only model and index files, and through the database "
        "and a file under TALENTCLUSTER_HOME, console sessions and rate limits.",
    ),
) -> None:
    """Start the HTTP service (uvicorn): /docs, /v1/…, /healthz, /readyz."""
    import uvicorn

    from models.storage.database import make_engine, upgrade

    with domain_errors():
        upgrade(make_engine(settings().resolved_database_url))
    console.print(f"TalentCluster on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=log_config(),
        access_log=False,
        # A worker answers the supervisor's ping only once its interpreter is up; on a busy 2-core host
        # that can pass uvicorn's 5 s, and the worker would be killed and restarted in a loop.
        timeout_worker_healthcheck=30,
    )


def demo(
    seed: int = typer.Option(DEMO_SEED, "--seed", help="Seed of the simulated market."),
    profiles: int = typer.Option(20_000, "--profiles", min=10),
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    run_service: bool = typer.Option(True, "--serve/--no-serve", help="Start the service at the end."),
) -> None:
    """Build the demo on the embedded defaults (SQLite, demo data) once, then start the service."""
    from sqlalchemy import func, select

    from models.storage import orm
    from talentcluster.commands.data import _database, load_reference_into, simulate

    with domain_errors():
        factory = _database()
        load_reference_into(factory)
        with factory() as session:
            observations = session.scalar(select(func.count()).select_from(orm.Observation))
    if observations:
        console.print(f"demo data present ({observations} observations); skipping the simulation")
    else:
        simulate(
            seed=seed, profiles=profiles, projects=None, out=None, start="2015-01", cutoff=None, load=True
        )
    _demo_forecaster(factory)
    _demo_matching_index(background=run_service)
    if run_service:
        serve(host=host, port=port, workers=1)


def _demo_matching_index(*, background: bool) -> None:
    """The matching index, once. Embedding 20k profiles takes minutes on 2 cores, so when the service is
    about to start it builds in a background process: the service answers at once, /readyz turns ready
    and candidates appear when the index is loaded (the service picks up the new CURRENT by itself)."""
    import subprocess
    import sys

    from models.matching.index_store import current_version

    cfg = settings()
    if current_version(cfg.index_dir) is not None:
        console.print(f"matching index {current_version(cfg.index_dir)} present; skipping the build")
        return
    command = [sys.executable, "-m", "talentcluster", "match", "build-index"]
    if not background:
        console.print("building the matching index (talentcluster match build-index)")
        subprocess.run(command, check=True)
        return
    log_path = cfg.home / "logs" / "build-index.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.Popen(command, stdout=log_path.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    console.print(
        f"building the matching index in the background (log: {log_path}); "
        "/readyz reports ready and candidates appear once it is loaded"
    )


def _demo_forecaster(factory) -> None:
    """The production forecast run, once: only when no forecaster serves yet (a few minutes on 2 cores)."""
    from models import forecast_registry
    from talentcluster.commands.forecast_run import run_store

    with factory() as session:
        serving = forecast_registry.serving(session)
    if serving is not None:
        console.print(f"forecaster {serving.version} serves; skipping the forecast run")
        return
    console.print("no forecaster serves yet: running the forecast (talentcluster forecast train --store)")
    run_store(horizon=None, cutoffs=0, jobs=2, promote="if_none", progress="bar")
