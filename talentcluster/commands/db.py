"""`talentcluster db …`: migrations of the database named by TALENTCLUSTER_DATABASE_URL."""

from __future__ import annotations

import typer

from talentcluster.commands.common import console, settings

app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from models.storage.database import current_revision, make_engine
    from models.storage.database import upgrade as migrate_up

    engine = make_engine(settings().resolved_database_url)
    migrate_up(engine, revision)
    console.print(f"database at revision {current_revision(engine)}")


@app.command()
def downgrade(
    revision: str = typer.Argument("base", help="Target revision; 'base' drops every table."),
) -> None:
    """Migrate the database down to REVISION."""
    from models.storage.database import current_revision, make_engine
    from models.storage.database import downgrade as migrate_down

    engine = make_engine(settings().resolved_database_url)
    migrate_down(engine, revision)
    console.print(f"database at revision {current_revision(engine)}")


@app.command()
def current() -> None:
    """Print the database's revision and URL (password hidden)."""
    from sqlalchemy.engine import make_url

    from models.storage.database import current_revision, make_engine

    url = settings().resolved_database_url
    typer.echo(
        f"{make_url(url).render_as_string(hide_password=True)}  revision={current_revision(make_engine(url))}"
    )
