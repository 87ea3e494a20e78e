"""`talentcluster catalogue …`: the yearly needs catalogue (急需紧缺人才目录), draft → review → publish."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from talentcluster.commands.common import console, domain_errors, settings

app = typer.Typer(
    help="The yearly needs catalogue: draft, review, publish, list, diff.", no_args_is_help=True
)

YearOpt = Annotated[int, typer.Option("--year", min=2000, max=2100, help="Catalogue year (YYYY).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Seed of the forecasters and P(short) draws.")]
RulesOpt = Annotated[str, typer.Option("--rules", help="Urgency rules version.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Also write the edition's files to this directory.")
]


def _job(seed: int | None = None, rules: str = "2026.1"):
    from models.taxonomy import Taxonomy
    from talentcluster.commands.data import _database
    from training.catalogue.job import CatalogueJob

    cfg = settings()
    return CatalogueJob(
        factory=_database(),
        taxonomy=Taxonomy.load(cfg.reference_dir),
        root=cfg.home / "catalogue",
        artifacts_dir=cfg.artifacts_dir,
        seed=cfg.seed if seed is None else seed,
        rules_version=rules,
        progress=lambda m: console.print(f"[dim]{m}[/]", highlight=False),
    )


def _say(outcome, started: float) -> None:
    state = "unchanged (same content already published)" if outcome.unchanged else outcome.status
    console.print(
        f"edition {outcome.edition_id}: {outcome.year} v{outcome.version} {state}; "
        f"sha256 {outcome.content_sha256[:16]}…; files in {outcome.directory} "
        f"({time.perf_counter() - started:.1f} s)",
        highlight=False,
    )


@app.command()
def publish(
    year: YearOpt,
    out: OutOpt = None,
    seed: SeedOpt = None,
    rules: RulesOpt = "2026.1",
    edition: Annotated[
        int | None,
        typer.Option("--edition", help="Publish this reviewed edition instead of running the job."),
    ] = None,
) -> None:
    """Run the whole job (resuming an interrupted run): forecast, rank, draft, check, publish, export."""
    started = time.perf_counter()
    with domain_errors():
        job = _job(seed, rules)
        if edition is not None:
            from models.storage import orm

            job.publish_edition(edition)
            with job.factory() as session:
                published = session.get(orm.CatalogueEdition, edition)
            job.export(published, out)
            outcome = job._outcome(published, unchanged=False)
        else:
            outcome = job.publish(year, out=out)
    _say(outcome, started)
    if out is not None:
        console.print(f"files written to {out}")


@app.command()
def draft(year: YearOpt, seed: SeedOpt = None, rules: RulesOpt = "2026.1") -> None:
    """Compute the catalogue and record it as a draft (steps 1–6); review and publish it later."""
    started = time.perf_counter()
    with domain_errors():
        outcome = _job(seed, rules).draft(year)
    _say(outcome, started)


@app.command()
def review(
    edition: Annotated[int, typer.Argument(help="Edition id (see `catalogue list`).")],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Who reviewed it (recorded).")] = "",
) -> None:
    """Check a draft's files and schema and mark it reviewed."""
    with domain_errors():
        e = _job().review(edition, reviewer or "reviewer (CLI)")
    console.print(f"edition {e.id}: {e.year} v{e.version} reviewed")


@app.command()
def discard(
    edition: Annotated[int, typer.Argument(help="Edition id of a draft or reviewed edition.")],
) -> None:
    """Discard a draft or reviewed edition and delete its files (published editions stay)."""
    with domain_errors():
        e = _job().discard(edition)
    console.print(f"edition {e.id}: {e.year} v{e.version} discarded")


@app.command("list")
def list_editions(year: Annotated[int | None, typer.Option("--year")] = None) -> None:
    """Editions with their status, rules version, entries per urgency and content hash."""
    from rich.table import Table
    from sqlalchemy import select

    from models.storage import orm

    with domain_errors():
        job = _job()
        with job.factory() as session:
            q = select(orm.CatalogueEdition).order_by(orm.CatalogueEdition.year, orm.CatalogueEdition.version)
            if year:
                q = q.where(orm.CatalogueEdition.year == year)
            rows = list(session.scalars(q))
    table = Table(title="catalogue editions")
    for col in ("id", "year", "version", "status", "rules", "entries", "severe/marked/moderate", "sha256"):
        table.add_column(col)
    for e in rows:
        s = (e.provenance or {}).get("summary", {})
        u = s.get("by_urgency", {})
        table.add_row(
            str(e.id),
            str(e.year),
            str(e.version),
            e.status,
            e.rules_version,
            str(s.get("entries", "")),
            f"{u.get('severe', 0)}/{u.get('marked', 0)}/{u.get('moderate', 0)}",
            e.content_sha256[:12],
        )
    console.print(table)


@app.command()
def diff(
    a: Annotated[int, typer.Argument(help="Older edition id.")],
    b: Annotated[int, typer.Argument(help="Newer edition id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the diff as JSON.")] = False,
) -> None:
    """Entries added, removed and whose urgency changed between two editions, with reasons."""
    from models.catalogue.diff import diff_documents
    from training.catalogue.job import document_from_entries

    with domain_errors():
        job = _job()
        with job.factory() as session:
            ea, eb = (job._get(session, x) for x in (a, b))
            da, db_ = document_from_entries(list(ea.entries)), document_from_entries(list(eb.entries))
            rules = (eb.provenance or {}).get("rules", {})
            label = f"{ea.year}-{ea.content_sha256[:8]}"
        result = diff_documents(da, {**db_, "rules": rules}, previous_label=label)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key in ("added", "removed", "urgency_changed"):
        console.print(f"[bold]{key}[/] ({len(result[key])})")
        for x in result[key]:
            console.print(
                f"  {x['chain']} {x['occupation']} {x['name_zh']}: {x['reason_zh']}", highlight=False
            )
    console.print(f"unchanged: {result['unchanged']}")
