"""Dialect-aware bulk upserts (SQLite and PostgreSQL both speak ``INSERT … ON CONFLICT``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# SQLite caps bound parameters per statement (32766 in current builds); stay far below it.
MAX_PARAMETERS = 30_000


def upsert(session: Session, table: Table, rows: Sequence[dict], key: Sequence[str]) -> int:
    """Insert ``rows`` into ``table``, updating the non-key columns of rows whose ``key`` exists."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise RuntimeError(f"upsert supports sqlite and postgresql, not {dialect}")
    columns = list(rows[0])
    per_statement = max(1, MAX_PARAMETERS // len(columns))
    for start in range(0, len(rows), per_statement):
        statement = insert(table).values(list(rows[start : start + per_statement]))
        updates = {c: statement.excluded[c] for c in columns if c not in key}
        statement = (
            statement.on_conflict_do_update(index_elements=list(key), set_=updates)
            if updates
            else statement.on_conflict_do_nothing(index_elements=list(key))
        )
        session.execute(statement)
    return len(rows)
