"""Alembic environment: the engine comes from the caller (``models.storage.database``) or from
``TALENTCLUSTER_DATABASE_URL`` when run as ``alembic -c alembic.ini upgrade head``."""

from alembic import context

from models.settings import Settings
from models.storage.database import make_engine
from models.storage.orm import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(Settings().resolved_database_url)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
