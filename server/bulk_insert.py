"""Inserting many rows at once: binary COPY on PostgreSQL, a driver executemany on SQLite.

A 500-change push writes 1,000 rows. Through an executemany, psycopg sends each row as
its own INSERT, and the round trips and per-statement work cost more than the rows
themselves; COPY streams them as one statement. On SQLite the executemany is already
one call, but SQLAlchemy's per-value bind processing was a tenth of the push. Values are
converted to exactly what a SQLAlchemy insert stores (tested), and a refused row raises
SQLAlchemy's ``IntegrityError`` just the same. A few rows go through a plain insert.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.types.json import Json
from sqlalchemy.exc import IntegrityError

from server.database import UTCDateTime

Processor = Callable[[Any], Any]

# Below this many rows a plain INSERT is cheaper: COPY's set-up costs about three of them.
MANY_ROWS = 8


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
    dialect = connection.dialect.name
    if len(rows) >= MANY_ROWS and dialect == "postgresql":
        _copy(connection, table, names, rows)
    elif len(rows) >= MANY_ROWS and dialect == "sqlite":
        _sqlite_executemany(connection, table, names, rows)
    else:
        # One row as a plain execute: psycopg runs every executemany in pipeline mode.
        connection.execute(table.insert(), rows[0] if len(rows) == 1 else list(rows))


def _copy(
    connection: sa.Connection, table: sa.Table, names: list[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    # Binary COPY: sealed values go as bytes, not as hex text twice their size that the
    # client writes and the server parses (a 500-change push's rows in about half the time).
    types = [_pg_type_name(connection.dialect, table.c[name].type) for name in names]
    times = _once_per_value(_copy_time(connection.dialect))
    processors = [_copy_processor(connection.dialect, table.c[name].type, times) for name in names]
    values = _row_values(names, processors)
    statement = f"COPY {_target(connection, table, names)} FROM STDIN (FORMAT BINARY)"
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(values(row))
    except psycopg.IntegrityError as refused:
        raise IntegrityError(statement, None, refused) from refused


def _pg_type_name(dialect: sa.Dialect, column_type: Any) -> str:
    """The PostgreSQL type as psycopg's registry names it: ``VARCHAR(400)`` -> ``varchar``."""
    return str(column_type.compile(dialect=dialect)).split("(")[0].lower()


def _sqlite_executemany(
    connection: sa.Connection, table: sa.Table, names: list[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    # SQLAlchemy's generic bind processing cost about a tenth of a batched push; the two
    # column types a push writes most get direct conversions to the same stored text.
    times = _once_per_value(_sqlite_utc_text)
    processors = [
        _sqlite_processor(connection.dialect, table.c[name].type, times) for name in names
    ]
    values = _row_values(names, processors)
    marks = ", ".join("?" for _ in names)
    connection.exec_driver_sql(
        # Names come from the table's metadata, quoted; every value is bound.
        f"INSERT INTO {_target(connection, table, names)} VALUES ({marks})",  # noqa: S608
        [tuple(values(row)) for row in rows],
    )


def _target(connection: sa.Connection, table: sa.Table, names: list[str]) -> str:
    quote = connection.dialect.identifier_preparer
    return f"{quote.format_table(table)} ({', '.join(quote.quote(name) for name in names)})"


def _row_values(
    names: list[str], processors: list[Processor | None]
) -> Callable[[Mapping[str, Any]], list[Any]]:
    """A row's values in ``names`` order, each converted by its processor (None stays None)."""
    converting = [(index, process) for index, process in enumerate(processors) if process]
    pick = _picker(names)

    def values(row: Mapping[str, Any]) -> list[Any]:
        found = list(pick(row))
        for index, process in converting:
            value = found[index]
            if value is not None:
                found[index] = process(value)
        return found

    return values


def _picker(names: list[str]) -> Callable[[Mapping[str, Any]], Sequence[Any]]:
    """A row's values for ``names``, as a tuple (itemgetter, which gives one name's bare)."""
    if len(names) == 1:
        (name,) = names
        return lambda row: (row[name],)
    return operator.itemgetter(*names)


def _copy_time(dialect: sa.Dialect) -> Processor:
    processor = UTCDateTime().bind_processor(dialect)
    assert processor is not None
    return processor


def _copy_processor(dialect: sa.Dialect, column_type: Any, times: Processor) -> Processor | None:
    # psycopg's SQLAlchemy dialect adapts JSON at bind time, not in a processor.
    if isinstance(column_type, sa.JSON):
        return Json
    if isinstance(column_type, UTCDateTime):
        return times
    processor: Processor | None = column_type.bind_processor(dialect)
    return processor


def _sqlite_processor(dialect: sa.Dialect, column_type: Any, times: Processor) -> Processor | None:
    if isinstance(column_type, UTCDateTime):
        return times
    if isinstance(column_type, sa.Uuid):
        return _same_as_last(_HEX)
    processor: Processor | None = column_type.bind_processor(dialect)
    return processor


def _once_per_value(convert: Processor) -> Processor:
    """``convert``, remembering what it gave for each time (one statement's time columns).

    A push's rows share times: the server's clock on every row, and usually the same
    recorded time as effective time. Equal times convert alike, whatever their zone.
    """
    converted: dict[datetime, Any] = {}

    def convert_once(value: datetime) -> Any:
        found = converted.get(value)
        if found is None:
            found = converted[value] = convert(value)
        return found

    return convert_once


def _same_as_last(convert: Processor) -> Processor:
    """``convert``, skipped when given the very object it was last given (one column's ids:
    a push gives the same owner and device on every row)."""
    last: list[Any] = [object(), None]

    def convert_new(value: Any) -> Any:
        if value is not last[0]:
            last[:] = value, convert(value)
        return last[1]

    return convert_new


def _sqlite_utc_text(value: datetime) -> str:
    """UTCDateTime as SQLite keeps it: naive UTC, ``2026-11-20 09:15:00.000120``."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored: pass an aware UTC datetime")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


# sa.Uuid as SQLite keeps it: 32 lower-case hex digits.
_HEX: Callable[[uuid.UUID], str] = operator.attrgetter("hex")
