"""Dialect-aware bulk upserts (SQLite and PostgreSQL both speak ``INSERT … ON CONFLICT``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(session: Session, table: Table, rows: Sequence[dict], key: Sequence[str]) -> int:
    """Insert ``rows`` into ``table``, updating the non-key columns of rows whose ``key`` exists."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"upsert supports sqlite and postgresql, not {dialect}")
    statement = insert(table)
    updates = {c: statement.excluded[c] for c in rows[0] if c not in key}
    statement = (
        statement.on_conflict_do_update(index_elements=list(key), set_=updates)
        if updates
        else statement.on_conflict_do_nothing(index_elements=list(key))
    )
    # executemany: one compiled statement, batched by SQLAlchemy's insertmanyvalues within parameter limits.
    session.execute(statement, list(rows))
    return len(rows)
