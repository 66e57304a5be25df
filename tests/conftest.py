"""Fixtures: one migrated database per backend per run, each test in a rolled-back transaction.

Choose backends with ``--db=sqlite``, ``--db=postgresql`` or ``--db=sqlite,postgresql`` (the
default). Without a reachable PostgreSQL the PostgreSQL tests skip and say why; with
``CI=true`` they fail instead.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy.orm import Session

# Tests never read the developer's configuration (CONVENTIONS.md 8).
for _name in [
    name
    for name in os.environ
    if name.startswith("ALONGSIDE_") and name != "ALONGSIDE_TEST_POSTGRES_URL"
]:
    del os.environ[_name]

from server import create_app  # noqa: E402
from server.extensions import db  # noqa: E402
from tests.support.databases import (  # noqa: E402
    IN_CI,
    TestDatabase,
    fresh_database,
    migrate_to_head,
    postgres_unavailable_reason,
)
from tests.support.live_server import LiveServer  # noqa: E402

BACKENDS = ("sqlite", "postgresql")
# A fixed key ring, so apps, subprocess servers and tests of one run read each other's data.
TEST_KEYS = "1:" + base64.b64encode(bytes(range(32))).decode("ascii")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default="sqlite,postgresql",
        help="comma-separated database backends to run against: sqlite, postgresql",
    )


def _selected_backends(config: pytest.Config) -> list[str]:
    chosen = [name.strip() for name in config.getoption("--db").split(",") if name.strip()]
    unknown = set(chosen) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"--db: unknown backend(s) {sorted(unknown)}; use {BACKENDS}")
    return chosen


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", _selected_backends(metafunc.config), scope="session")


@pytest.fixture(scope="session")
def _postgres_reason() -> str | None:
    return postgres_unavailable_reason()


@pytest.fixture(scope="session")
def backend_ready(backend: str, _postgres_reason: str | None) -> str:
    """The backend name, once it is known to be usable (skip, or fail in CI, otherwise)."""
    if backend == "postgresql" and _postgres_reason:
        message = f"{_postgres_reason}; start it or run with --db=sqlite"
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {message}", pytrace=False)
        pytest.skip(message)
    return backend


@pytest.fixture
def skip_unless_postgresql(backend: str) -> None:
    """For tests whose point only exists on PostgreSQL (row locks, advisory locks)."""
    if backend != "postgresql":
        pytest.skip("meaningful only on PostgreSQL")


@pytest.fixture(scope="session")
def migrated_database(
    backend_ready: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestDatabase]:
    """One database per backend for the whole run, migrated once."""
    workdir = tmp_path_factory.mktemp(f"db-{backend_ready}")
    with fresh_database(backend_ready, workdir) as database:
        migrate_to_head(database.url, workdir)
        yield database


def app_config(database_url: str, instance_path: Path, **overrides: Any) -> dict[str, Any]:
    """Configuration every test app gets, plus ``overrides``."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SESSION_COOKIE_SECURE": False,
        "KEYS": TEST_KEYS,
        **overrides,
    }


@pytest.fixture(scope="session")
def _session_app(
    migrated_database: TestDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    instance = tmp_path_factory.mktemp(f"instance-{migrated_database.backend}")
    app = create_app(
        app_config(migrated_database.url, instance),
        environ={"ALONGSIDE_INSTANCE_PATH": str(instance)},
    )
    yield app
    db._app_engines[app][None].dispose()


class _FreshViewClient(FlaskClient):
    """A test client after whose every request the test's own session re-reads rows."""

    test_session: Session | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if self.test_session is not None:
            self.test_session.expire_all()
        return response


def _bind_to_connection(app: Flask) -> Iterator[tuple[Flask, sa.Connection]]:
    """Run a test inside one outer transaction that is rolled back afterwards.

    Each request still gets its own app context and session, as in production; they and
    the test's own session all join the outer transaction, and a commit only releases a
    savepoint.
    """
    engines = db._app_engines[app]
    engine = engines[None]
    connection = engine.connect()
    outer = connection.begin()
    # Flask-SQLAlchemy picks its bind from this map.
    engines[None] = connection  # type: ignore[assignment]
    try:
        yield app, connection
    finally:
        engines[None] = engine
        outer.rollback()
        connection.close()


@pytest.fixture
def _bound(_session_app: Flask) -> Iterator[tuple[Flask, sa.Connection]]:
    yield from _bind_to_connection(_session_app)


@pytest.fixture
def app(_bound: tuple[Flask, sa.Connection]) -> Flask:
    """The app on this run's database; everything a test writes is rolled back."""
    return _bound[0]


@pytest.fixture
def session(_bound: tuple[Flask, sa.Connection]) -> Iterator[Session]:
    """The test's own session, inside the same rolled-back transaction as its requests."""
    own = Session(bind=_bound[1], join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield own
    own.close()


@pytest.fixture
def make_app(
    migrated_database: TestDatabase, tmp_path: Path, _bound: tuple[Flask, sa.Connection]
) -> Iterator[Callable[..., Flask]]:
    """Build an app with extra configuration, sharing the test's connection and transaction."""
    built: list[tuple[Flask, Any]] = []

    def build(**overrides: Any) -> Flask:
        extra = create_app(
            app_config(migrated_database.url, tmp_path, **overrides),
            environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
        )
        engines = db._app_engines[extra]
        built.append((extra, engines[None]))
        engines[None] = _bound[1]  # type: ignore[assignment]
        return extra

    yield build
    for extra, engine in built:
        db._app_engines[extra][None] = engine
        engine.dispose()


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    app.test_client_class = _FreshViewClient
    test_client = app.test_client()
    test_client.test_session = session  # type: ignore[attr-defined]
    return test_client


@pytest.fixture
def committed_database(backend_ready: str, tmp_path: Path) -> Iterator[TestDatabase]:
    """A database of this test's own, migrated, whose commits are real (for subprocesses)."""
    with fresh_database(backend_ready, tmp_path) as database:
        migrate_to_head(database.url, tmp_path)
        yield database


@pytest.fixture
def live_server(
    committed_database: TestDatabase, tmp_path: Path
) -> Iterator[Callable[..., LiveServer]]:
    """Start ``alongside serve`` subprocesses on this test's own database; all stopped after."""
    started: list[LiveServer] = []

    def start(**options: Any) -> LiveServer:
        server = LiveServer(
            database_url=committed_database.url, instance_path=tmp_path, keys=TEST_KEYS, **options
        )
        started.append(server.start())
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
