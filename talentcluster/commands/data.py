"""`talentcluster data …`: reference data, the simulated labour market, and imports."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from talentcluster.commands.common import console, domain_errors, settings

app = typer.Typer(help="Reference data, simulation and import.", no_args_is_help=True)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _database():
    """Migrate (idempotent) and return a session factory for the configured database."""
    from models.storage.database import make_engine, session_factory, upgrade

    engine = make_engine(settings().resolved_database_url)
    upgrade(engine)
    return session_factory(engine)


def load_reference_into(factory) -> dict[str, int]:
    from models.storage.database import transaction
    from models.storage.reference import load_reference
    from models.taxonomy import Taxonomy

    taxonomy = Taxonomy.load(settings().reference_dir)
    with transaction(factory) as session:
        return load_reference(session, taxonomy)


@app.command("load-reference")
def load_reference_command() -> None:
    """Load data/reference (chains, occupations, aliases, zones) into the database; idempotent."""
    with domain_errors():
        counts = load_reference_into(_database())
    console.print(", ".join(f"{table}: {n}" for table, n in counts.items()))


def import_paths(factory, paths: list[tuple[Path, str | None]], skip_invalid: bool) -> list:
    from training.importing import import_file

    reports = []
    with _progress() as bar:
        for path, kind in paths:
            task = bar.add_task(f"import {path.name}", total=None)
            report = import_file(
                factory,
                path,
                kind=kind,
                skip_invalid=skip_invalid,
                pseudonym_key=settings().pseudonym_key,
                progress=lambda done, total, task=task: bar.update(task, completed=done, total=total),
            )
            bar.update(task, completed=report.rows_total, total=report.rows_total)
            reports.append(report)
    return reports


@app.command("import")
def import_command(
    paths: list[Path] = typer.Argument(..., help="CSV or Parquet files in the documented long format."),
    kind: str = typer.Option(None, help="observations | profiles | projects (default: from the columns)."),
    skip_invalid: bool = typer.Option(
        False, "--skip-invalid", help="Write the valid rows, report the others."
    ),
) -> None:
    """Import observations, profiles or projects (docs/import-format.md). All-or-nothing per file."""
    with domain_errors():
        factory = _database()
        load_reference_into(factory)
        reports = import_paths(factory, [(p, kind) for p in paths], skip_invalid)
    for r in reports:
        again = (
            " (same file imported before; rows upserted, nothing duplicated)" if r.previously_imported else ""
        )
        console.print(f"{r.path}: {r.kind}: {r.rows_written} written, {r.rows_invalid} invalid{again}")
        for line, field, reason in r.problems[:50]:
            console.print(f"  {r.path}:{line}: {field}: {reason}", highlight=False)


@app.command()
def simulate(
    seed: int = typer.Option(..., "--seed", help="Seed of the generative model; same seed, same bytes."),
    profiles: int = typer.Option(20_000, "--profiles", min=10, help="Talent profiles to generate."),
    projects: int = typer.Option(None, "--projects", min=1, help="Projects (default: profiles / 20)."),
    out: Path = typer.Option(None, "--out", help="Output directory (default: <home>/sim/seed-N)."),
    start: str = typer.Option("2015-01", "--start", help="First simulated month, YYYY-MM."),
    cutoff: str = typer.Option(
        None, "--cutoff", help="Last month handed to models, YYYY-MM (default: last month)."
    ),
    load: bool = typer.Option(True, "--load/--no-load", help="Import the result into the database."),
) -> None:
    """Simulate the labour market to the cut-off (+24 hidden months of truth), profiles and projects."""
    from models.taxonomy import Taxonomy
    from training.simulate import simulate as run_simulation

    with domain_errors():
        cfg = settings()
        out = out or cfg.simulations_dir / f"seed-{seed}"
        taxonomy = Taxonomy.load(cfg.reference_dir)
        started = time.perf_counter()
        with _progress() as bar:
            tasks: dict[str, int] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(stage, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            manifest = run_simulation(
                taxonomy,
                seed=seed,
                out_dir=out,
                start=start,
                cutoff=cutoff,
                n_profiles=profiles,
                n_projects=projects,
                progress=report,
            )
        counts = ", ".join(f"{k}: {v:,}" for k, v in manifest.counts.items())
        console.print(
            f"simulated {manifest.start} … {manifest.cutoff} (+ hidden truth to {manifest.truth_end}) "
            f"into {out} in {time.perf_counter() - started:.1f} s; {counts}"
        )
        if load:
            factory = _database()
            load_reference_into(factory)
            files = [(out / "observations.parquet", "observations"), (out / "projects.parquet", "projects")]
            files += [(p, "profiles") for p in sorted((out / "profiles").glob("part-*.parquet"))]
            import_paths(factory, files, skip_invalid=False)
            # The simulated market's announced programmes become this installation's calendar.
            cfg.home.mkdir(parents=True, exist_ok=True)  # with PostgreSQL, nothing else may have made it
            shutil.copyfile(out / "programmes.csv", cfg.home / "programmes.csv")
            console.print(f"loaded into {cfg.resolved_database_url.split('@')[-1]}")
