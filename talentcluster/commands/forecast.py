"""`talentcluster forecast …`: backtest and train the shortage forecaster on long-format files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from talentcluster.commands.common import console, domain_errors, settings

app = typer.Typer(help="forecast commands", no_args_is_help=True)


def _progress():
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


InputOpt = Annotated[Path, typer.Option("--input", help="Long-format CSV or Parquet: unique_id,ds,y.")]
HorizonOpt = Annotated[int, typer.Option("--horizon", min=1, max=36, help="Months ahead.")]
HIERARCHY_HELP = "Comma-separated hierarchy columns; 'auto' = the text columns; 'none' = no hierarchy."
SUPPLY_HELP = "Job seekers (same layout) when --input holds postings: adds shortage ranking."


@app.command()
def backtest(
    input: InputOpt,
    report: Annotated[Path, typer.Option("--report", help="Where to write the JSON report.")],
    horizon: HorizonOpt = 12,
    cutoffs: Annotated[int, typer.Option("--cutoffs", min=1, help="Number of rolling origins.")] = 3,
    step: Annotated[int, typer.Option("--step", min=0, help="Months between origins (0: horizon/2).")] = 0,
    hierarchy: Annotated[str, typer.Option("--hierarchy", help=HIERARCHY_HELP)] = "auto",
    supply: Annotated[Path | None, typer.Option("--supply", help=SUPPLY_HELP)] = None,
    top_k: Annotated[int, typer.Option("--top-k", min=1, help="k of shortage precision@k, recall@k.")] = 20,
) -> None:
    """Rolling-origin backtest of lgbm_global against seasonal_naive and auto_ets; writes a JSON report."""
    with domain_errors():
        from models.forecasting.frames import validate_long
        from models.forecasting.reconcile import Hierarchy
        from training.forecasting.backtest import backtest as run_backtest
        from training.forecasting.data import hierarchy_columns, read_long

        df = validate_long(read_long(input), required=())
        cols = _hierarchy(df, hierarchy, hierarchy_columns)
        hier = Hierarchy.from_columns(cols) if cols else None
        n_models = 3
        with _progress() as bar:
            total = cutoffs * n_models * (2 if supply else 1)
            task = bar.add_task("backtest", total=total)

            def step_done(msg: str) -> None:
                bar.update(task, advance=1, description=msg)

            result = run_backtest(
                df[["unique_id", "ds", "y", *cols]],
                horizon,
                n_cutoffs=cutoffs,
                step=step or None,
                hierarchy=hier,
                progress=step_done,
            )
            rep = result.report
            if supply is not None:
                from training.forecasting.shortage_backtest import shortage_ranking_backtest

                rep["shortage"] = shortage_ranking_backtest(
                    df,
                    read_long(supply),
                    horizon,
                    n_cutoffs=cutoffs,
                    step=step or None,
                    k=top_k,
                    progress=step_done,
                )
            bar.update(task, completed=total, description="done")
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(rep, indent=2, ensure_ascii=False, default=_json_default))
        _print_summary(rep, report)


@app.command()
def train(
    input: InputOpt,
    horizon: HorizonOpt = 12,
    cutoffs: Annotated[
        int, typer.Option("--cutoffs", min=0, help="Backtest origins for the card (0: skip).")
    ] = 3,
) -> None:
    """Fit the global model on a file and save a new artifact version with its card."""
    with domain_errors():
        from training.forecasting.data import read_long
        from training.forecasting.train import train_forecaster

        with _progress() as bar:
            task = bar.add_task("train", total=None)
            path = train_forecaster(
                lambda: read_long(input),
                settings().artifacts_dir,
                horizon=horizon,
                n_cutoffs=cutoffs,
                progress=lambda m: bar.update(task, description=m),
            )
        typer.echo(str(path))


def _hierarchy(df, option: str, detect) -> list[str]:
    from models.errors import InvalidInput

    if option == "none":
        return []
    if option == "auto":
        return detect(df)
    cols = [c.strip() for c in option.split(",") if c.strip()]
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InvalidInput(
            f"hierarchy column(s) {missing} not in the file; columns: {list(df.columns)}", field="hierarchy"
        )
    return cols


def _json_default(o):
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    return str(o)


def _print_summary(rep: dict, path: Path) -> None:
    from rich.table import Table

    table = Table(title=f"backtest, horizon {rep['horizon']}, cut-offs {', '.join(rep['cutoffs'])}")
    for col in ("model", "MASE", "sMAPE %", "WQL", "cov 80", "cov 95"):
        table.add_column(col, justify="right" if col != "model" else "left")
    for name, m in rep["models"].items():
        table.add_row(
            name,
            f"{m['mase']:.3f}",
            f"{m['smape']:.2f}",
            f"{m['wql']:.4f}",
            f"{m['coverage_80']:.2f}",
            f"{m['coverage_95']:.2f}",
        )
    console.print(table)
    console.print(f"report written to {path}")
