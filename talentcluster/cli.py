"""The ``talentcluster`` command. Each group lives in ``talentcluster/commands/<group>.py``.

Heavy imports (pandas, torch, lightgbm) stay inside the commands so that ``--help`` answers at once.
"""

from __future__ import annotations

import typer

from talentcluster.commands import auth, catalogue, data, db, forecast, match, serve

app = typer.Typer(
    name="talentcluster",
    help="TalentCluster: talent-demand forecasting and talent matching along Beijing's industry chains.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(auth.app, name="auth")
app.add_typer(data.app, name="data")
app.add_typer(forecast.app, name="forecast")
app.add_typer(match.app, name="match")
app.add_typer(catalogue.app, name="catalogue")
app.command()(serve.serve)
app.command()(serve.demo)


def main() -> None:
    app()
