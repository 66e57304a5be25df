"""Proof against the real files: what people write through the API is not on disk in the clear.

Marker strings go in through the API (display name, device name, check-in note and answers),
then the raw SQLite bytes (main file and write-ahead log) or, on PostgreSQL, a
``COPY ... TO STDOUT`` of every table are searched for them, as text and as hex (PostgreSQL
prints bytea as hex). After ``erase-user`` and a rotation, the erased person's ciphertext in a
copy taken before the erasure opens with no key the server holds.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from server.accounts.models import Role, User
from server.aggregation.jobs import refresh_due_summaries
from server.extensions import db
from server.scheduler.jobs import JobContext
from tests.support.api import SignedInClient, sign_in
from tests.support.checkins import (
    CHECKIN_ANSWERS,
    PUSH,
    WHO5_ANSWERS,
    checkin_data,
    push_body,
    put,
)
from tests.support.factories import PASSWORD, make_user
from tests.unit.erasure.backups import assert_unopenable

USERNAME = "sam-at-rest"  # plain by design: sign-in looks it up
NAME = "Samira Quellmarker-5521"
DEVICE = "Quellmarker phone 8830"
NOTE = "Quellmarker note: slept badly, walked by the canal 3391"
# Answer item ids only ever appear inside sealed check-in content and scores.
ANSWER_MARKERS = ('"hope_self_care":8', '"who5_cheerful":3', "trust_peer_worker")
FOLLOW_UP = "Quellmarker follow-up: walked together 4417"
# A concern's words and what it is about are sealed like the answers they come from.
CONCERN_MARKERS = ("Very low answers", "need a conversation", "urgent")
MARKERS = ("Quellmarker", NAME, DEVICE, NOTE, FOLLOW_UP, *ANSWER_MARKERS, *CONCERN_MARKERS)


def write_markers(app) -> SignedInClient:
    """Register and check in through the API only, as the phone would."""
    with app.app_context():
        make_user(db.session, Role.PEER_WORKER, username="pat-at-rest")
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    code = sign_in(client, "pat-at-rest").post("/api/v1/invites", json={}).get_json()["code"]
    registered = client.post(
        "/api/v1/auth/register",
        json={
            "invite_code": code,
            "username": USERNAME,
            "password": PASSWORD,
            "display_name": NAME,
            "device_name": DEVICE,
        },
    )
    assert registered.status_code == 201, registered.get_json()
    sam = SignedInClient(client=client, token=registered.get_json()["token"], body={})
    both = [
        {"instrument": "alongside-checkin", "version": 1, "answers": dict(CHECKIN_ANSWERS)},
        {"instrument": "who5", "version": 1, "answers": dict(WHO5_ANSWERS)},
    ]
    pushed = sam.post(PUSH, json=push_body(put(data=checkin_data(note=NOTE, responses=both))))
    assert pushed.status_code == 200, pushed.get_json()
    assert [r["status"] for r in pushed.get_json()["results"]] == ["applied"]
    low = [{"instrument": "who5", "version": 1, "answers": dict.fromkeys(WHO5_ANSWERS, 0)}]
    now = datetime.now(UTC)
    fresh = checkin_data(recorded_at=now, shared=True, responses=low)
    assert sam.post(PUSH, json=push_body(put(data=fresh))).status_code == 200
    with app.app_context():
        assert refresh_due_summaries(JobContext(db.session(), app.config, now))["concerns_raised"]
        db.session.remove()
    pat = sign_in(client, "pat-at-rest")
    (person,) = pat.get("/api/v1/peer/people").get_json()["people"]
    assert person["urgent"] is True
    followed = pat.post(f"/api/v1/peer/people/{person['id']}/acknowledge", json={"note": FOLLOW_UP})
    assert followed.get_json()["history"][0]["note"] == FOLLOW_UP
    return sam


def sqlite_bytes(url: str) -> bytes:
    main = Path(url.removeprefix("sqlite:///"))
    parts = [main, main.with_name(main.name + "-wal"), main.with_name(main.name + "-journal")]
    return b"".join(path.read_bytes() for path in parts if path.exists())


def postgres_dump(url: str) -> bytes:
    engine = sa.create_engine(url)
    dump = []
    with engine.connect() as connection:
        tables = sa.inspect(connection).get_table_names()
        raw = connection.connection.dbapi_connection
        with raw.cursor() as cursor:
            for table in tables:
                with cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    dump.extend(bytes(block) for block in copy)
    engine.dispose()
    assert tables, "no tables found to dump"
    return b"".join(dump)


def stored_bytes(backend: str, url: str) -> bytes:
    return sqlite_bytes(url) if backend == "sqlite" else postgres_dump(url)


def assert_no_markers(stored: bytes) -> None:
    # The scan must be able to see plain text at all: the username is stored plain.
    assert USERNAME.encode() in stored
    lowered = stored.lower()
    for marker in MARKERS:
        raw = marker.encode("utf-8")
        assert raw.lower() not in lowered, marker
        assert raw.hex().encode() not in lowered, marker
        assert json.dumps(marker)[1:-1].encode().lower() not in lowered, marker


@pytest.fixture
def app(keyed_app):
    return keyed_app()


def test_markers_written_through_the_api_are_not_in_the_stored_bytes(
    app, committed_database, backup
):
    sam = write_markers(app)
    # They are really there: the person reads them back through the API.
    pulled, _ = sam.get("/api/v1/sync/pull").get_json()["changes"]
    assert pulled["data"]["note"] == NOTE

    assert_no_markers(stored_bytes(committed_database.backend, committed_database.url))

    with app.app_context():
        sam_id = db.session.scalar(sa.select(User.id).where(User.username == USERNAME))
        db.session.remove()
    before_erasure = backup()
    runner = app.test_cli_runner()
    assert runner.invoke(args=["erase-user", USERNAME, "--yes"]).exit_code == 0
    rotated = runner.invoke(args=["keys", "rotate", "--retire-old"])
    assert rotated.exit_code == 0, rotated.output

    # Name, device label, check-in content and scores: none opens with what the server holds.
    assert assert_unopenable(app, before_erasure, sam_id) >= 4


def test_an_erased_username_is_zeroed_in_the_sqlite_file(app, committed_database):
    if committed_database.backend != "sqlite":
        pytest.skip("SQLite's secure_delete; PostgreSQL reclaims deleted rows with VACUUM")
    write_markers(app)
    assert app.test_cli_runner().invoke(args=["erase-user", USERNAME, "--yes"]).exit_code == 0
    with app.app_context():
        with db.engine.connect() as connection:
            # Explicit, not left to how this SQLite was built (Debian's defaults to on).
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        db.engine.dispose()
    path = Path(committed_database.url.removeprefix("sqlite:///"))
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert USERNAME.encode() not in sqlite_bytes(committed_database.url)
