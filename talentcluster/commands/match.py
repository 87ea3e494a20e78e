"""`talentcluster match …`: evaluate retrieval on BEIR-layout data, build evaluation sets."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from talentcluster.commands.common import console, domain_errors, settings

app = typer.Typer(help="match commands", no_args_is_help=True)


def _encoder(model: str | None, threads: int):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never download: models are local directories
    from models.matching.encoder import Encoder
    from models.matching.runtime import configure_threads

    configure_threads(torch_threads=threads, faiss_threads=threads)
    config = settings()
    return Encoder(
        model or config.embedding_model or None,
        num_threads=threads,
        precision=config.embedding_precision,
    )


def _taxonomy(required: bool):
    from models.errors import TalentClusterError
    from models.taxonomy import Taxonomy

    directory = settings().reference_dir
    try:
        return Taxonomy.load(directory)
    except TalentClusterError as exc:
        if required:
            raise
        console.print(
            f"[yellow]warning:[/] no taxonomy channel: {exc.message.splitlines()[0]}", highlight=False
        )
        return None


@app.command()
def evaluate(
    dataset: Annotated[
        Path, typer.Option(help="BEIR-layout directory (corpus.jsonl, queries.jsonl, qrels/)")
    ],
    report: Annotated[Path, typer.Option(help="where to write the JSON report")],
    model: Annotated[
        str, typer.Option(help="sentence-transformers directory; default: settings, then MiniLM")
    ] = "",
    threads: Annotated[int, typer.Option(help="torch and FAISS threads")] = 2,
    tune: Annotated[
        bool, typer.Option(help="fit the fusion rules on qrels/validation.tsv when present")
    ] = True,
    per_language: Annotated[
        bool, typer.Option(help="fit one fusion rule per query language (zh / en, by script)")
    ] = True,
    holdout: Annotated[
        str,
        typer.Option(
            help="taxonomy holdout of alias sets: 'query' hides each query's own title while it is "
            "looked up (leave-one-out); 'all' hides every held-out title for every query"
        ),
    ] = "query",
    fusion_out: Annotated[
        Path | None, typer.Option(help="also write the fitted fusion rules (JSON) here")
    ] = None,
    require_taxonomy: Annotated[
        bool, typer.Option(help="fail instead of skipping the taxonomy channel")
    ] = False,
) -> None:
    """nDCG@10, MAP, Recall@10/@100 and MRR per channel (dense, lexical, taxonomy) and fused."""
    with domain_errors():
        from training.matching.evaluate import evaluate as run

        result = run(
            dataset,
            _encoder(model, threads),
            _taxonomy(require_taxonomy),
            tune=tune,
            per_language=per_language,
            holdout=holdout,
            fusion_out=fusion_out,
        )
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        _print_table(result)


def _print_table(result: dict) -> None:
    from rich.table import Table

    table = Table(title=f"test split, {result['documents']} documents")
    table.add_column("slice")
    table.add_column("channel")
    for metric in ("ndcg@10", "map", "recall@10", "recall@100", "mrr"):
        table.add_column(metric, justify="right")
    slices = [("all", result["channels"])] + [(k, v["channels"]) for k, v in result["by_language"].items()]
    for name, channels in slices:
        for channel, m in channels.items():
            table.add_row(
                name, channel, *(f"{m[k]:.3f}" for k in ("ndcg@10", "map", "recall@10", "recall@100", "mrr"))
            )
    console.print(table)
    fusion = result["fusion"]
    for name, rule in [("default", fusion["default"]), *fusion["by_language"].items()]:
        console.print(f"fusion[{name}]: {rule}", highlight=False, markup=False)
    tuning = result["tuning"] or {}
    console.print(
        f"tuned on: {tuning.get('split', 'nothing (equal weights)')}, "
        f"{ {k: v for k, v in tuning.items() if k != 'validation_channels'} }",
        highlight=False,
    )


@app.command("build-eval")
def build_eval(
    out: Annotated[Path, typer.Option(help="output directory (BEIR layout)")],
    kind: Annotated[str, typer.Option(help="which set: aliases | simulator")] = "aliases",
    seed: Annotated[int, typer.Option(help="seed of the validation/test split; 0 = the settings' seed")] = 0,
    sim: Annotated[Path | None, typer.Option(help="simulation directory (kind=simulator)")] = None,
) -> None:
    """Write an evaluation set in BEIR layout with validation and test qrels split by occupation/project."""
    with domain_errors():
        from models.errors import InvalidInput
        from training.matching import datasets

        seed = seed or settings().seed
        if kind == "aliases":
            from models.taxonomy import Taxonomy

            summary = datasets.build_alias_set(Taxonomy.load(settings().reference_dir), out, seed=seed)
        elif kind == "simulator":
            summary = datasets.build_simulator_set(sim or settings().simulations_dir, out, seed=seed)
        else:
            raise InvalidInput(f"kind {kind!r} is not one of {list(datasets.KINDS)}", field="kind")
        console.print(json.dumps(summary, ensure_ascii=False), highlight=False)


@app.command("build-index")
def build_index(
    fusion: Annotated[
        Path | None,
        typer.Option(
            help="fusion rules (JSON from `match evaluate --fusion-out`); default: the built-in "
            "rules tuned on the simulator validation split"
        ),
    ] = None,
    threads: Annotated[int, typer.Option(help="torch and FAISS threads")] = 2,
    batch_size: Annotated[int, typer.Option(help="documents embedded and indexed per batch")] = 512,
    progress: Annotated[
        str,
        typer.Option(
            "--progress",
            help="bar (a progress bar) or json (one JSON object per line on stdout, for jobs).",
        ),
    ] = "bar",
    if_stale: Annotated[
        bool,
        typer.Option(
            "--if-stale",
            help="build only when profiles, projects or the published catalogue changed since the "
            "current version was built (for a scheduler)",
        ),
    ] = False,
) -> None:
    """Build the matching index from the database and publish it as a new version (<home>/index/)."""
    if progress not in ("bar", "json"):
        raise typer.BadParameter(f"--progress must be bar or json, not {progress!r}")
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with domain_errors():
        from models.storage.database import make_engine, session_factory
        from models.taxonomy import Taxonomy
        from training.matching.index_job import build_index as run
        from training.matching.index_job import report_json

        config = settings()
        encoder = _encoder(None, threads)
        encoder.cache_dir = config.embedding_cache_dir
        factory = session_factory(make_engine(config.resolved_database_url))
        if if_stale:
            from models.index_status import index_status

            with factory() as session:
                status = index_status(session, config.index_dir)
            if not status.stale:
                console.print(f"matching index {status.version} is current; nothing to build")
                if progress == "json":
                    result = {"version": status.version, "serving": True, "skipped": True}
                    print(json.dumps({"progress": 1.0, "message": "done", "result": result}), flush=True)
                return
        taxonomy = Taxonomy.load(config.reference_dir)
        build = functools.partial(
            run,
            factory,
            taxonomy,
            encoder,
            config.index_dir,
            fusion_path=fusion,
            batch_size=batch_size,
            reference_dir=config.reference_dir,
        )
        if progress == "json":
            # Stages run one after the other (profiles, then projects and catalogue entries); the
            # job's fraction is that of the stage at hand, scaled so that it reaches 1 only at the end.
            def as_json(stage: str, done: int, total: int) -> None:
                message = f"embedding + indexing {stage}: {done}/{total}"
                event = {"progress": round(0.95 * done / max(total, 1), 3), "message": message}
                print(json.dumps(event, ensure_ascii=False), flush=True)

            report = build(progress=as_json)
            result = {**json.loads(report_json(report)), "serving": True}
            print(json.dumps({"progress": 1.0, "message": "done", "result": result}), flush=True)
            return
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks: dict[str, int] = {}

            def as_bar(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = bar.add_task(f"embedding + indexing {stage}", total=total)
                bar.update(tasks[stage], completed=done)
                if not console.is_terminal:  # a log file gets a plain line per batch instead
                    console.print(f"{stage}: {done}/{total}", highlight=False)

            report = build(progress=as_bar)
        console.print(
            f"published matching index [bold]{report.version}[/] ({report.profiles} profiles, "
            f"{report.projects} projects, {report.catalogue_entries} catalogue entries; "
            f"{report.texts_embedded} texts embedded, {report.embedding_cache_hits} from the cache) "
            f"in {report.seconds['total']:.1f} s",
            highlight=False,
        )
        typer.echo(report_json(report))


@app.command("train-ranker")
def train_ranker(
    min_projects: Annotated[int, typer.Option(help="projects with a positive label needed")] = 10,
    min_labels: Annotated[int, typer.Option(help="feedback labels needed")] = 50,
    threads: Annotated[int, typer.Option(help="torch and FAISS threads")] = 2,
) -> None:
    """Train the LambdaRank re-ranker from feedback and publish it with the current index (a new
    version); with too little feedback, keep the hand-weighted scorer."""
    with domain_errors():
        from models.matching.index_store import MatchingIndex
        from models.matching.taxonomy_channel import OccupationMatcher
        from models.storage.database import make_engine, session_factory
        from models.taxonomy import Taxonomy
        from training.matching.ranker_job import train_ranker as run

        config = settings()
        encoder = _encoder(None, threads)
        taxonomy = Taxonomy.load(config.reference_dir)
        matcher = OccupationMatcher(taxonomy.occupations.values())
        districts = {code: z.district_code for code, z in taxonomy.zones.items()}
        report = run(
            session_factory(make_engine(config.resolved_database_url)),
            taxonomy,
            lambda path: MatchingIndex.load(path, encoder, matcher, districts),
            config.index_dir,
            min_projects=min_projects,
            min_labels=min_labels,
        )
        if report.trained:
            console.print(
                f"published matching index [bold]{report.version}[/] with a re-ranker: {report.metrics}"
            )
        else:
            console.print(report.reason, highlight=False)
