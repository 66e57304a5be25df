"""Real copies of a database, and proof that an erased person's copied data does not open."""

from __future__ import annotations

import secrets
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from server import crypto
from server.database import Base
from server.extensions import db
from server.keys.models import UserKey
from server.keys.source import app_key_source
from tests.support import databases
from tests.support.databases import POSTGRES_URL


@pytest.fixture
def backup(
    committed_database: databases.TestDatabase, tmp_path: Path
) -> Iterator[Callable[[], str]]:
    """Copy the whole database now (SQLite's backup API, or every table into a copy schema)."""
    dropped: list[str] = []

    def take() -> str:
        if committed_database.backend == "sqlite":
            source = committed_database.url.removeprefix("sqlite:///")
            target = tmp_path / f"before-erasure-{secrets.token_hex(2)}.sqlite3"
            with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
                live.backup(copy)
            return f"sqlite:///{target}"
        schema = f"{committed_database.schema}_bk_{secrets.token_hex(2)}"
        engine = sa.create_engine(committed_database.url)
        with engine.begin() as connection:
            connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
            dropped.append(schema)
            for table in sa.inspect(connection).get_table_names():
                connection.execute(sa.text(f'CREATE TABLE {schema}."{table}" AS TABLE "{table}"'))
        engine.dispose()
        return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"

    yield take
    if dropped:
        engine = sa.create_engine(POSTGRES_URL)
        with engine.begin() as connection:
            for schema in dropped:
                connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@dataclass(frozen=True)
class SealedCopy:
    """One sealed value found in a copy: where it was and its bytes."""

    table: str
    column: str
    row_id: uuid.UUID
    token: bytes


def sealed_values_of(url: str, user_id: uuid.UUID) -> list[SealedCopy]:
    """Every sealed value a copy holds for one person, in every model that declares one."""
    found = []
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        for mapper in Base.registry.mappers:
            model = mapper.class_
            for field in getattr(model, "__sealed_fields__", {}).values():
                table = model.__table__
                owner, column = table.c[field.owner], table.c[field.column]
                query = sa.select(table.c.id, column).where(owner == user_id, column.is_not(None))
                for row_id, token in connection.execute(query):
                    found.append(SealedCopy(table.name, field.column, row_id, token))
    engine.dispose()
    return found


def wrapped_key_in(url: str, user_id: uuid.UUID) -> sa.Row:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        row = connection.execute(sa.select(UserKey).where(UserKey.user_id == user_id)).one()
    engine.dispose()
    return row


def held_keys(app: Flask) -> tuple[crypto.KeyRing, list[bytes]]:
    """The KEKs the server holds now, and every data key it can unwrap with them."""
    with app.app_context():
        ring = app_key_source(app).load()
        data_keys = [
            crypto.unwrap_data_key(
                ring, user_id=row.user_id, version=row.kek_version, wrapped=row.wrapped_key
            )
            for row in db.session.scalars(sa.select(UserKey))
        ]
        db.session.remove()
    return ring, data_keys


def open_with(data_key: bytes, user_id: uuid.UUID, value: SealedCopy) -> bytes:
    context = crypto.field_context(value.table, value.column)
    return crypto.DataKey(data_key).open(value.token, context, value.row_id, user_id)


def assert_unopenable(app: Flask, backup_url: str, user_id: uuid.UUID) -> int:
    """No key the server holds opens the person's wrapped key or sealed values in the copy.

    Returns how many sealed values were tried, so a caller can check the copy held some.
    """
    wrapped = wrapped_key_in(backup_url, user_id)
    ring, data_keys = held_keys(app)
    assert wrapped.kek_version not in ring.keys
    for kek in ring.keys.values():  # every KEK, under the old version label and its own
        for version in {wrapped.kek_version, *ring.keys}:
            with pytest.raises(crypto.UnreadableError):
                crypto.unwrap_data_key(
                    crypto.KeyRing({version: kek}, version),
                    user_id=user_id,
                    version=version,
                    wrapped=wrapped.wrapped_key,
                )
    values = sealed_values_of(backup_url, user_id)
    for value in values:
        for data_key in data_keys:
            with pytest.raises(crypto.UnreadableError):
                open_with(data_key, user_id, value)
    return len(values)
