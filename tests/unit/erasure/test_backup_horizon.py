"""After an erasure and the rotation job, a backup from before the erasure cannot open the person.

The backup is a real copy: the SQLite file through SQLite's backup API, or on PostgreSQL a
copy of every table into a schema of its own.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server import create_app, crypto
from server.accounts.models import Role, User
from server.clock import utcnow
from server.extensions import db
from server.keys.models import UserKey
from server.keys.source import app_key_source
from server.scheduler.jobs import run_job
from server.scheduler.registry import erasure_rotation
from tests.support import databases
from tests.support.databases import POSTGRES_URL
from tests.support.factories import make_service_user, make_user
from tests.unit.keys.apps import env_spec

MARKER = "Sam Marker-9183"


def people(app):
    with app.app_context():
        sam = make_service_user(db.session, username="sam")
        sam.display_name = MARKER
        rae = make_user(db.session, Role.RESEARCHER, username="rae")
        rae.display_name = "Rae"
        db.session.commit()
        db.session.remove()


@pytest.fixture
def backup(committed_database: databases.TestDatabase, tmp_path) -> Iterator[Callable[[], str]]:
    """Copy the whole database now; returns a URL the copy can be opened at."""
    dropped: list[str] = []

    def take() -> str:
        if committed_database.backend == "sqlite":
            source = committed_database.url.removeprefix("sqlite:///")
            target = tmp_path / "before-erasure.sqlite3"
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


def sams_wrapped_key_and_name(url):
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        sam = connection.execute(
            sa.select(User.id, User.display_name_sealed).where(User.username == "sam")
        ).one()
        key = connection.execute(sa.select(UserKey).where(UserKey.user_id == sam.id)).one()
    engine.dispose()
    return sam, key


def held_data_keys(app):
    """Every data key the server can unwrap now, with the ring it holds."""
    with app.app_context():
        ring = app_key_source(app).load()
        rows = db.session.scalars(sa.select(UserKey)).all()
        keys = [
            crypto.unwrap_data_key(
                ring, user_id=row.user_id, version=row.kek_version, wrapped=row.wrapped_key
            )
            for row in rows
        ]
        db.session.remove()
        return ring, keys


def assert_unopenable(app, backup_url):
    sam, key = sams_wrapped_key_and_name(backup_url)
    ring, data_keys = held_data_keys(app)
    assert key.kek_version not in ring.keys
    for held in ring.keys.values():  # every KEK the server holds, under every version label
        for version in (key.kek_version, *ring.keys):
            with pytest.raises(crypto.UnreadableError):
                crypto.unwrap_data_key(
                    crypto.KeyRing({version: held}, version),
                    user_id=key.user_id,
                    version=version,
                    wrapped=key.wrapped_key,
                )
    context = crypto.field_context("users", "display_name_sealed")
    for data_key in data_keys:  # and every data key it can still unwrap
        with pytest.raises(crypto.UnreadableError):
            crypto.DataKey(data_key).open(sam.display_name_sealed, context, sam.id, sam.id)


def test_a_pre_erasure_backup_cannot_open_the_erased_person_after_the_rotation_job(
    keyed_app, backup, tmp_path
):
    app = keyed_app()
    people(app)
    backup_url = backup()
    # Before erasure and rotation, the server's keys do open the backup: the danger is real.
    sam, key = sams_wrapped_key_and_name(backup_url)
    ring = app_key_source(app).load()
    data_key = crypto.unwrap_data_key(
        ring, user_id=key.user_id, version=key.kek_version, wrapped=key.wrapped_key
    )
    context = crypto.field_context("users", "display_name_sealed")
    opened = crypto.DataKey(data_key).open(sam.display_name_sealed, context, sam.id, sam.id)
    assert opened == MARKER.encode()

    erased = app.test_cli_runner().invoke(args=["erase-user", "sam", "--yes"])
    assert erased.exit_code == 0, erased.output

    # Within the wait, the job only counts; once it has passed, it rotates and retires.
    waiting = run_job(app, "erasure-rotation", erasure_rotation)
    assert waiting.stats["pending_versions"] == 1
    assert (
        "Pending retirement: version(s) 1"
        in app.test_cli_runner().invoke(args=["keys", "status"]).output
    )
    later = utcnow() + timedelta(hours=25)
    outcome = run_job(app, "erasure-rotation", erasure_rotation, clock=lambda: later)
    assert outcome.status == "done"
    assert outcome.stats == {"pending_versions": 0, "retired": 1, "rewrapped": 1, "pruned": 0}
    assert "Pending" not in app.test_cli_runner().invoke(args=["keys", "status"]).output

    assert_unopenable(app, backup_url)
    # Restoring the backup as the database: the server refuses, naming the retired version.
    with pytest.raises(crypto.MissingKeyError, match="version 1"):
        create_app(
            {"TESTING": True, "DATABASE_URL": backup_url, "KEYS": ""},
            environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
        )
    # Everyone else's data is untouched by the rotation.
    with app.app_context():
        db.session.info.clear()
        assert db.session.scalar(sa.select(User).where(User.username == "rae")).display_name == (
            "Rae"
        )
        db.session.remove()


def test_keys_rotate_retire_old_does_the_same_by_hand(keyed_app, backup):
    app = keyed_app()
    people(app)
    backup_url = backup()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["erase-user", "sam", "--yes"]).exit_code == 0
    result = runner.invoke(args=["keys", "rotate", "--retire-old"])
    assert result.exit_code == 0, result.output
    assert "Retired key version 1." in result.output
    assert_unopenable(app, backup_url)


def test_with_environment_keys_the_job_logs_and_status_shows_the_pending_retirement(
    keyed_app, caplog
):
    app = keyed_app(KEYS=env_spec(1), ERASURE_ROTATION_HOURS=0)
    people(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["erase-user", "sam", "--yes"]).exit_code == 0

    with caplog.at_level(logging.WARNING):
        outcome = run_job(app, "erasure-rotation", erasure_rotation)
    assert outcome.stats["pending_versions"] == 1
    assert "ALONGSIDE_KEYS is read-only" in caplog.text
    assert "sam" not in caplog.text.lower()
    status = runner.invoke(args=["keys", "status"]).output
    assert "Pending retirement: version(s) 1" in status
    assert "add a new version" in status

    # The operator adds version 2 and restarts: the job re-wraps onto it and names 1 as removable.
    rolled = keyed_app(KEYS=env_spec(1, 2), ERASURE_ROTATION_HOURS=0)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert run_job(rolled, "erasure-rotation", erasure_rotation).stats["rewrapped"] == 1
    assert "version(s) 1 wrapped erased data keys" in caplog.text

    # Version 1 removed from ALONGSIDE_KEYS: nothing is pending any more.
    done = keyed_app(KEYS=env_spec(2), ERASURE_ROTATION_HOURS=0)
    assert run_job(done, "erasure-rotation", erasure_rotation).stats["pending_versions"] == 0
    assert "Pending" not in done.test_cli_runner().invoke(args=["keys", "status"]).output
