"""`talentcluster forecast …`: backtest and train the shortage forecaster on long-format files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from talentcluster.commands import forecast_run
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
JOBS_HELP = "2: the statistical baseline fits in a second process beside LightGBM; 1: one after another."
PROGRAMMES_HELP = (
    "Calendar of announced policy programmes (CSV or JSON: code, industry_code, segment_code, start_month, "
    "ramp_months[, announced_month]), read by the LightGBM model as a known input from the month each is "
    "announced (default: its start); needs industry and segment columns."
)
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
    forecasts: Annotated[
        Path | None, typer.Option("--forecasts", help="Also write every forecast (Parquet) for the notebook.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, max=2, help=JOBS_HELP)] = 2,
    programmes: Annotated[Path | None, typer.Option("--programmes", help=PROGRAMMES_HELP)] = None,
) -> None:
    """Rolling-origin backtest of lgbm_global against seasonal_naive and auto_ets; writes a JSON report.

    The input is a long file (unique_id,ds,y[,hierarchy columns]) or the simulated store's
    observations.parquet (series zone|segment|occupation, hierarchy from the reference taxonomy).
    """
    with domain_errors():
        import pandas as pd

        from models.errors import InvalidInput
        from models.forecasting.baselines import AutoETSForecaster
        from models.forecasting.frames import validate_long
        from models.forecasting.programmes import COVER_COLUMNS, load_programmes
        from models.forecasting.reconcile import Hierarchy
        from training.forecasting import store
        from training.forecasting.backtest import backtest as run_backtest
        from training.forecasting.backtest import (
            default_models,
            merged,
            start_in_background,
            store_lgbm_params,
            truth_backtest,
        )
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
        if programmes is not None:
            lgbm_params["programmes"] = load_programmes(programmes)
            missing = [c for c in COVER_COLUMNS if c not in df.columns]
            if missing:
                raise InvalidInput(
                    f"--programmes needs the {missing} columns of each series", field="programmes"
                )
            cols += [c for c in COVER_COLUMNS if c not in cols]
        if until:
            end = pd.Timestamp(f"{until}-01")
            df = df[df["ds"] <= end]
            supply_df = supply_df[supply_df["ds"] <= end] if supply_df is not None else None
        # jobs=2: AutoETS (single-threaded) fits in a second process while LightGBM fits here.
        models = default_models(horizon, ets_model=ets_model, ets_n_jobs=1 if jobs > 1 else 2, **lgbm_params)
        background = [m for m in models if jobs > 1 and m.name == AutoETSForecaster.name]
        here = [m for m in models if m not in background]
        shortage = supply_df is not None and target == "postings"
        truth_df = store.read_truth(truth, target) if truth is not None else None
        with _progress() as bar:
            total = (cutoffs + (truth is not None)) * (len(here) + shortage) + bool(background)
            task = bar.add_task("backtest", total=total)

            def step_done(msg: str) -> None:
                bar.update(task, advance=1, description=msg)

            frame = df[["unique_id", "ds", "y", *cols]]
            pool, pending = None, None
            if background:
                pool, pending = start_in_background(
                    frame,
                    horizon,
                    models=background,
                    n_cutoffs=cutoffs,
                    step=step or None,
                    hierarchy=hier,
                    truth=truth_df,
                )
            try:
                result = run_backtest(
                    frame,
                    horizon,
                    models=here,
                    n_cutoffs=cutoffs,
                    step=step or None,
                    hierarchy=hier,
                    progress=step_done,
                )
                tr = None
                if truth_df is not None:
                    tr = truth_backtest(
                        frame, truth_df, horizon, models=here, hierarchy=hier, progress=step_done
                    )
                fcs = [result.forecasts, *([tr.forecasts] if tr is not None else [])]
                node_frames: list = []
                ranking = None
                if shortage:
                    from training.forecasting.shortage_backtest import shortage_ranking_backtest

                    ranking = shortage_ranking_backtest(
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
                        frames=node_frames,
                    )
                if pending is not None:
                    bar.update(task, description=f"waiting for {AutoETSForecaster.name} (second process)")
                    extra = pending.result()
                    result = merged(result, extra[0], horizon)
                    tr = merged(tr, extra[1], horizon) if tr is not None else None
                    step_done(f"{AutoETSForecaster.name} done")
            finally:
                if pool is not None:
                    pool.shutdown(cancel_futures=True)
            rep = result.report
            fcs = [result.forecasts]
            if tr is not None:
                rep["truth"] = tr.report
                fcs.append(tr.forecasts)
            if ranking is not None:
                rep["shortage"] = ranking
            bar.update(task, completed=total, description="done")
        rep["models_spec"] = {m.name: m.get_params() for m in models}
        report.parent.mkdir(parents=True, exist_ok=True)
        if forecasts is not None:
            forecasts.parent.mkdir(parents=True, exist_ok=True)
            pd.concat(fcs, ignore_index=True).to_parquet(forecasts, index=False)
            if node_frames:
                pd.concat(node_frames, ignore_index=True).to_parquet(
                    forecasts.with_name(forecasts.stem + "-shortage.parquet"), index=False
                )
        report.write_text(json.dumps(rep, indent=2, ensure_ascii=False, default=_json_default))
        _print_summary(rep, report)


@app.command()
def train(
    input: Annotated[
        Path | None, typer.Option("--input", help="Long-format CSV or Parquet: unique_id,ds,y.")
    ] = None,
    from_store: Annotated[
        bool, typer.Option("--store", help="The production run: observations from the database (see run).")
    ] = False,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", min=1, max=36, help="Months ahead (12 for --input; 24 for --store)."),
    ] = None,
    cutoffs: Annotated[
        int | None,
        typer.Option(
            "--cutoffs", min=0, help="Backtest origins for the card (0: skip; default 3, --store 0)."
        ),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, max=2, help="--store: fit the two targets in N processes.")
    ] = 2,
    promote: Annotated[str, typer.Option("--promote", help=forecast_run.PROMOTE_HELP)] = "if_none",
    progress: Annotated[str, typer.Option("--progress", help=forecast_run.PROGRESS_HELP)] = "bar",
    trees: Annotated[
        int | None, typer.Option("--trees", min=1, help="--store: LightGBM trees (default: tuned).")
    ] = None,
    programmes: Annotated[
        Path | None,
        typer.Option(
            "--programmes",
            help=PROGRAMMES_HELP
            + " --store: instead of TALENTCLUSTER_PROGRAMMES_FILE or <home>/programmes.csv.",
        ),
    ] = None,
) -> None:
    """Fit the global model and save a new artifact version with its card.

    --input FILE: one model on a long file. --store: the production run on the database (demand and
    supply, every hierarchy level, shortages), registered as a forecaster version.
    """
    if from_store == (input is not None):
        raise typer.BadParameter("give exactly one of --input FILE or --store")
    if from_store:
        forecast_run.run_store(
            horizon=horizon,
            cutoffs=cutoffs or 0,
            jobs=jobs,
            promote=promote,
            progress=progress,
            trees=trees,
            programmes=programmes,
        )
        return
    with domain_errors():
        from models.forecasting.programmes import load_programmes
        from training.forecasting.data import read_long
        from training.forecasting.train import train_forecaster

        params = {"programmes": load_programmes(programmes)} if programmes is not None else None
        with _progress() as bar:
            task = bar.add_task("train", total=None)
            path = train_forecaster(
                lambda: read_long(input),
                settings().artifacts_dir,
                horizon=horizon or 12,
                n_cutoffs=3 if cutoffs is None else cutoffs,
                params=params,
                progress=lambda m: bar.update(task, description=m),
            )
        typer.echo(str(path))


@app.command()
def run(
    horizon: Annotated[
        int | None, typer.Option("--horizon", min=1, max=24, help="Months ahead (default 24).")
    ] = None,
    cutoffs: Annotated[int, typer.Option("--cutoffs", min=0, help="Backtest origins (0: skip).")] = 0,
    jobs: Annotated[
        int, typer.Option("--jobs", min=1, max=2, help="Fit the two targets in N processes.")
    ] = 2,
    promote: Annotated[str, typer.Option("--promote", help=forecast_run.PROMOTE_HELP)] = "if_none",
    progress: Annotated[str, typer.Option("--progress", help=forecast_run.PROGRESS_HELP)] = "bar",
    trees: Annotated[
        int | None, typer.Option("--trees", min=1, help="LightGBM trees (default: tuned).")
    ] = None,
) -> None:
    """The production forecast run on the database (same as `forecast train --store`)."""
    forecast_run.run_store(
        horizon=horizon, cutoffs=cutoffs, jobs=jobs, promote=promote, progress=progress, trees=trees
    )


app.command()(forecast_run.promote)
app.command()(forecast_run.versions)


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
    rm = rep.get("shortage", {}).get("ranking_mean")
    if rm:
        t = Table(title="shortage ranking, occupation × segment city-wide (mean over cut-offs)")
        for col in ("measure", "k", "model P", "model R", "last-year P", "last-year R"):
            t.add_column(col, justify="right" if col != "measure" else "left")
        for measure in ("all_short", "newly_short"):
            for k, v in rm[measure].items():
                m, b = v["model"], v["last_year_list"]
                t.add_row(
                    measure,
                    k,
                    *(f"{x:.2f}" for x in (m["precision"], m["recall"], b["precision"], b["recall"])),
                )
        console.print(t)
    console.print(f"report written to {path}")
