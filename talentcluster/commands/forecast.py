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


TARGET_HELP = "Store input only: the count to forecast (postings, job_seekers or hires)."
TRUTH_HELP = "Store input only: truth/observations.parquet; scores the forecasts after the last month."
ETS_HELP = "AutoETS model space, statsforecast notation ('ZZZ' = full search; 'ANA' is ~10x faster)."


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
    target: Annotated[str, typer.Option("--target", help=TARGET_HELP)] = "postings",
    truth: Annotated[Path | None, typer.Option("--truth", help=TRUTH_HELP)] = None,
    until: Annotated[
        str, typer.Option("--until", help="Use observations up to this month (YYYY-MM) only: validation.")
    ] = "",
    ets_model: Annotated[str, typer.Option("--ets-model", help=ETS_HELP)] = "ZZZ",
) -> None:
    """Rolling-origin backtest of lgbm_global against seasonal_naive and auto_ets; writes a JSON report.

    The input is a long file (unique_id,ds,y[,hierarchy columns]) or the simulated store's
    observations.parquet (series zone|segment|occupation, hierarchy from the reference taxonomy).
    """
    with domain_errors():
        import pandas as pd

        from models.errors import InvalidInput
        from models.forecasting.frames import validate_long
        from models.forecasting.reconcile import Hierarchy
        from training.forecasting import store
        from training.forecasting.backtest import backtest as run_backtest
        from training.forecasting.backtest import default_models, store_lgbm_params, truth_backtest
        from training.forecasting.data import hierarchy_columns, read_long

        raw = read_long(input)
        is_store = store.is_store_frame(raw)
        if (truth is not None or target != "postings") and not is_store:
            raise InvalidInput("--truth and --target need the store's observations.parquet", field="input")
        lgbm_params: dict = {}
        if is_store:
            ref = settings().reference_dir
            df = store.store_to_long(raw, ref, target)
            cols = [] if hierarchy == "none" else list(store.HIERARCHY)
            hier = Hierarchy.from_columns(cols, total=False) if cols else None
            lgbm_params = store_lgbm_params()
            supply_df = store.store_to_long(raw, ref, "job_seekers")
        else:
            df = validate_long(raw, required=())
            cols = _hierarchy(df, hierarchy, hierarchy_columns)
            hier = Hierarchy.from_columns(cols) if cols else None
            supply_df = read_long(supply) if supply is not None else None
        if until:
            end = pd.Timestamp(f"{until}-01")
            df = df[df["ds"] <= end]
            supply_df = supply_df[supply_df["ds"] <= end] if supply_df is not None else None
        models = default_models(horizon, ets_model=ets_model, **lgbm_params)
        shortage = supply_df is not None and target == "postings"
        truth_df = store.read_truth(truth, target) if truth is not None else None
        n_models = len(models)
        with _progress() as bar:
            total = (cutoffs + (truth is not None)) * (n_models + shortage)
            task = bar.add_task("backtest", total=total)

            def step_done(msg: str) -> None:
                bar.update(task, advance=1, description=msg)

            frame = df[["unique_id", "ds", "y", *cols]]
            result = run_backtest(
                frame,
                horizon,
                models=models,
                n_cutoffs=cutoffs,
                step=step or None,
                hierarchy=hier,
                progress=step_done,
            )
            rep = result.report
            fcs = [result.forecasts]
            if truth_df is not None:
                tr = truth_backtest(
                    frame, truth_df, horizon, models=models, hierarchy=hier, progress=step_done
                )
                rep["truth"] = tr.report
                fcs.append(tr.forecasts)
            if shortage:
                from training.forecasting.shortage_backtest import shortage_ranking_backtest

                rep["shortage"] = shortage_ranking_backtest(
                    df[["unique_id", "ds", "y", *cols]],
                    supply_df,
                    horizon,
                    n_cutoffs=cutoffs,
                    step=step or None,
                    k=top_k,
                    params=lgbm_params,
                    demand_forecasts=pd.concat(fcs, ignore_index=True),
                    truth=truth_df,
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
