"""Test databases: a SQLite file or a private PostgreSQL schema, migrated to head."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from server import create_app

POSTGRES_URL = os.environ.get(
    "ALONGSIDE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def postgres_unavailable_reason() -> str | None:
    """Why PostgreSQL cannot be used for tests, or ``None`` when it can."""
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any failure to connect means "not here"
        where = engine.url.render_as_string(hide_password=True)
        return f"PostgreSQL at {where} unreachable ({type(exc).__name__})"
    finally:
        engine.dispose()
    return None


@dataclass
class TestDatabase:
    """One migrated database: its backend name and the URL the app and subprocesses use."""

    backend: str
    url: str
    schema: str | None = None


def _postgres_schema_url(schema: str) -> str:
    # search_path in the connection options puts every table, and Alembic's version table,
    # in this run's own schema, so concurrent runs on one server never meet.
    return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(backend: str, workdir: Path) -> Iterator[TestDatabase]:
    """Create an empty database, yield it unmigrated, and drop it afterwards."""
    if backend == "sqlite":
        path = workdir / f"alongside-{secrets.token_hex(4)}.sqlite3"
        yield TestDatabase("sqlite", f"sqlite:///{path}")
        return
    schema = f"t_{secrets.token_hex(6)}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    try:
        yield TestDatabase("postgresql", _postgres_schema_url(schema), schema)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def migrate_to_head(url: str, instance_path: Path) -> None:
    """Run every migration against ``url``."""
    app = create_app(
        {"DATABASE_URL": url, "TESTING": True},
        environ={"ALONGSIDE_INSTANCE_PATH": str(instance_path)},
    )
    with app.app_context():
        upgrade()
        from server.extensions import db

        db.engine.dispose()
