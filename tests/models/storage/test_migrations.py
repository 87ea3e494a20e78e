"""Migrations go up and down cleanly on SQLite and PostgreSQL."""

from sqlalchemy import inspect

from models.storage.database import current_revision, downgrade, upgrade
from models.storage.orm import Base


def test_upgrade_creates_every_table_of_the_model_and_downgrade_removes_them(engine):
    upgrade(engine)
    assert current_revision(engine) is not None
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables

    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert not (set(Base.metadata.tables) & set(inspect(engine).get_table_names()))

    upgrade(engine)  # and up again: the downgrade left nothing behind that blocks it
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_migrations_match_the_orm_model(engine):
    """Autogenerate finds nothing to do: the migration scripts and the ORM agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        assert compare_metadata(context, Base.metadata) == []
