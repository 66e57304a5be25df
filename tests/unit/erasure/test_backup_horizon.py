"""After an erasure and the rotation job, a backup from before the erasure cannot open the person.

The backup is a real copy: the SQLite file through SQLite's backup API, or on PostgreSQL a
copy of every table into a schema of its own.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server import create_app, crypto
from server.accounts.models import Role, User
from server.clock import utcnow
from server.extensions import db
from server.scheduler.jobs import run_job
from server.scheduler.registry import erasure_rotation
from tests.support.factories import make_service_user, make_user
from tests.unit.erasure.backups import (
    assert_unopenable,
    held_keys,
    open_with,
    sealed_values_of,
    wrapped_key_in,
)
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


def sam_id(app):
    with app.app_context():
        found = db.session.scalar(sa.select(User.id).where(User.username == "sam"))
        db.session.remove()
        return found


def test_a_pre_erasure_backup_cannot_open_the_erased_person_after_the_rotation_job(
    keyed_app, backup, tmp_path
):
    app = keyed_app()
    people(app)
    erased_id = sam_id(app)
    backup_url = backup()
    # Before erasure and rotation, the server's keys do open the backup: the danger is real.
    ring, _ = held_keys(app)
    wrapped = wrapped_key_in(backup_url, erased_id)
    data_key = crypto.unwrap_data_key(
        ring, user_id=erased_id, version=wrapped.kek_version, wrapped=wrapped.wrapped_key
    )
    (name,) = sealed_values_of(backup_url, erased_id)
    assert open_with(data_key, erased_id, name) == MARKER.encode()

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

    assert assert_unopenable(app, backup_url, erased_id) == 1
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
    erased_id = sam_id(app)
    backup_url = backup()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["erase-user", "sam", "--yes"]).exit_code == 0
    result = runner.invoke(args=["keys", "rotate", "--retire-old"])
    assert result.exit_code == 0, result.output
    assert "Retired key version 1." in result.output
    assert assert_unopenable(app, backup_url, erased_id) == 1


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
