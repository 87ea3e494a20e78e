"""`talentcluster forecast train --store`, `forecast promote`, `forecast versions`: the production run."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from talentcluster.commands.common import console, domain_errors, settings

PROGRESS_HELP = "bar (a progress bar on stderr) or json (one JSON object per line on stdout, for jobs)."
PROMOTE_HELP = "if_none: serve the new version only when none serves yet; always; never."


def run_store(
    *,
    horizon: int | None,
    cutoffs: int,
    jobs: int,
    promote: str,
    progress: str,
    trees: int | None = None,
    programmes: Path | None = None,
) -> None:
    """Read the database, fit demand and supply, reconcile, assess shortages, write and register a version.

    ``programmes``: the calendar file, instead of the installation's (``settings().programme_calendar``)."""
    from models.forecasting.programmes import load_programmes
    from talentcluster.commands.data import _database
    from training.forecasting.run import run_forecast

    cfg = settings()
    params = dict(cfg.forecast_params)
    if trees:
        params["n_estimators"] = trees
    started = time.perf_counter()

    def as_json(message: str, fraction: float) -> None:
        print(
            json.dumps({"progress": round(fraction, 3), "message": message}, ensure_ascii=False), flush=True
        )

    with domain_errors():
        if programmes is not None:
            params["programmes"] = load_programmes(programmes)
        elif cfg.programme_calendar is not None:
            params.setdefault("programmes", load_programmes(cfg.programme_calendar))
        factory = _database()
        kwargs = dict(
            reference_dir=cfg.reference_dir,
            artifacts_dir=cfg.artifacts_dir,
            horizon=horizon or cfg.forecast_horizon,
            n_cutoffs=cutoffs,
            params=params,
            jobs=jobs,
            promote=promote,
        )
        if progress == "json":
            result = run_forecast(factory, progress=as_json, **kwargs)
        else:
            from talentcluster.commands.forecast import _progress

            with _progress() as bar:
                task = bar.add_task("forecast run", total=1.0)
                result = run_forecast(
                    factory,
                    progress=lambda m, f: bar.update(task, completed=f, description=m),
                    **kwargs,
                )
    summary = {
        "version": result.version,
        "path": str(result.path),
        "serving": result.serving,
        "seconds": {k: round(v, 1) for k, v in result.seconds.items()},
    }
    if progress == "json":
        print(json.dumps({"progress": 1.0, "message": "done", "result": summary}), flush=True)
    else:
        console.print(
            f"forecaster {result.version} in {time.perf_counter() - started:.0f} s"
            f"{' (serving)' if result.serving else ' (not serving; promote it to serve)'}: {result.path}",
            highlight=False,
        )
        typer.echo(str(result.path))


def promote(
    version: Annotated[str, typer.Argument(help="A version, as `forecast versions` lists it.")],
) -> None:
    """Make VERSION the serving forecaster (running services pick it up within seconds)."""
    from models import forecast_registry
    from models.storage.database import transaction
    from talentcluster.commands.data import _database

    with domain_errors(), transaction(_database()) as session:
        row = forecast_registry.promote(session, version)
    console.print(f"forecaster {row.version} now serves ({row.path})", highlight=False)


def versions() -> None:
    """Forecaster versions, newest first; `*` marks the serving one."""
    from models import forecast_registry
    from talentcluster.commands.data import _database

    with domain_errors(), _database()() as session:
        rows = forecast_registry.list_versions(session)
    if not rows:
        console.print("no forecaster version yet; run talentcluster forecast train --store")
        return
    for r in rows:
        layout = (r.card or {}).get("layout", "single model")
        window = (r.card or {}).get("data_window", {})
        mark = "*" if r.serving else " "
        sys.stdout.write(f"{mark} {r.version}  {layout}  data {window.get('start')}…{window.get('end')}\n")
