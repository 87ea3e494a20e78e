"""Shared fixtures: real databases (a temporary SQLite file, a temporary PostgreSQL database)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
REFERENCE_DIR = REPO / "data" / "reference"
POSTGRES_ADMIN_URL = os.environ.get(
    "TALENTCLUSTER_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_database() -> tuple[str, callable]:
    """Create a throw-away database on the test server; return its URL and a function that drops it."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"tc_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """An empty database of each kind we support; the same tests run on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    url, drop = _postgres_database()
    try:
        yield url
    finally:
        drop()


@pytest.fixture
def engine(database_url):
    from models.storage.database import make_engine

    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def migrate_with_reference(engine):
    """Migrate ``engine``'s database to head, load the shipped reference data; its session factory."""
    from models.storage.database import session_factory, transaction, upgrade
    from models.storage.reference import load_reference

    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        load_reference(session, reference_taxonomy())
    return factory


@pytest.fixture
def migrated(engine):
    """A session factory over a database migrated to head with the shipped reference data loaded."""
    return migrate_with_reference(engine)


_taxonomy = None


def reference_taxonomy():
    """The shipped taxonomy, loaded once per test session."""
    global _taxonomy
    if _taxonomy is None:
        from models.taxonomy import Taxonomy

        _taxonomy = Taxonomy.load(REFERENCE_DIR)
    return _taxonomy


@pytest.fixture(scope="session")
def taxonomy():
    return reference_taxonomy()


@pytest.fixture(scope="session")
def minilm():
    """The packaged all-MiniLM-L6-v2, loaded once per test session (2 torch/FAISS threads)."""
    from models.matching.encoder import Encoder
    from models.matching.runtime import configure_threads

    configure_threads(torch_threads=2, faiss_threads=2)
    return Encoder(num_threads=2).load()
