"""Inserting many rows at once: COPY on PostgreSQL, executemany elsewhere and for few rows.

A 500-change push writes 1,000 rows. Through an executemany, psycopg sends each row as
its own INSERT, and the round trips and per-statement work cost more than the rows
themselves; COPY streams them as one statement. Values go through the same bind
processing as any SQLAlchemy insert (aware UTC times, JSON), so the rows stored are the
same either way, and a refused row raises SQLAlchemy's ``IntegrityError`` just the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.types.json import Json
from sqlalchemy.exc import IntegrityError

# Below this many rows a plain INSERT is cheaper: COPY's set-up costs about three of them.
COPY_FROM_ROWS = 8


def insert_rows(
    connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Insert ``rows`` (dicts keyed by column name, all with the same keys) into ``table``.

    Call it on a connection inside a transaction (a push's savepoint): it does not commit.
    """
    if not rows:
        return
    names = list(rows[0])
    # COPY applies no Python-side column defaults: every such column must be given (on
    # every database, so code tried on SQLite behaves the same on PostgreSQL).
    defaulted = [c.name for c in table.columns if c.name not in names and c.default is not None]
    if defaulted:
        raise ValueError(f"insert_rows needs values for {', '.join(defaulted)} on {table.name}")
    if connection.dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        # One row as a plain execute: psycopg runs every executemany in pipeline mode.
        connection.execute(table.insert(), rows[0] if len(rows) == 1 else list(rows))
        return
    processors = _bind_processors(connection.dialect, table, names)
    columns = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in names)
    statement = (
        f"COPY {connection.dialect.identifier_preparer.format_table(table)} ({columns}) FROM STDIN"
    )
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    [
                        value if process is None or value is None else process(value)
                        for value, process in zip(
                            (row[name] for name in names), processors, strict=True
                        )
                    ]
                )
    except psycopg.IntegrityError as refused:
        raise IntegrityError(statement, None, refused) from refused


def _bind_processors(
    dialect: sa.Dialect, table: sa.Table, names: Sequence[str]
) -> list[Callable[[Any], Any] | None]:
    return [_bind_processor(dialect, table.c[name].type) for name in names]


def _bind_processor(dialect: sa.Dialect, column_type: Any) -> Callable[[Any], Any] | None:
    # psycopg's SQLAlchemy dialect adapts JSON at bind time, not in a processor.
    if isinstance(column_type, sa.JSON):
        return Json
    processor: Callable[[Any], Any] | None = column_type.bind_processor(dialect)
    return processor
