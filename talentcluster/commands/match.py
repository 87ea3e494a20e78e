"""`talentcluster match …`: evaluate retrieval on BEIR-layout data, build evaluation sets."""

from __future__ import annotations

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
    return Encoder(model or settings().embedding_model or None, num_threads=threads)


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
