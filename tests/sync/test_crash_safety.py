"""Crash safety end to end: SIGKILL the real server mid-push; every check-in lands once.

The server runs as a subprocess (gunicorn via ``alongside serve``) on this test's own
committed database. The client sends 3,000 check-ins in batches of 500. The server is
SIGKILLed twice: once while a batch is in flight, and once after it committed a batch but
before the client read the answer. It is restarted each time, and the client's own retry
loop carries on. Afterwards the server holds each check-in exactly once, none is missing, and every
change_id has exactly one record, checked through pull from a fresh device and in the
database.
"""

from __future__ import annotations

import random
import threading
import time
import uuid

import httpx
import pytest
import sqlalchemy as sa

from server import create_app
from server.extensions import db
from sync.client import PUSH_PATH, SyncClient
from sync.outbox import LocalStore
from sync.transport import Backoff, Transport
from tests.conftest import app_config
from tests.support.factories import PASSWORD, make_service_user

CHECKINS = 3000


class Watched(httpx.HTTPTransport):
    """Real HTTP that tells the test when each push is sent.

    It also holds back the first answer from the ``drop_answer_of``-th push attempt on
    until the test has killed the server, then drops it: the server committed that batch,
    and the client never learns it.
    """

    def __init__(self, drop_answer_of: int) -> None:
        super().__init__()
        self.pushes_sent = 0
        self.sent = threading.Condition()
        self.drop_answer_of = drop_answer_of
        self.answer_held = threading.Event()
        self.server_killed = threading.Event()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != PUSH_PATH:
            return super().handle_request(request)
        with self.sent:
            self.pushes_sent += 1
            number = self.pushes_sent
            self.sent.notify_all()
        response = super().handle_request(request)
        if number >= self.drop_answer_of and not self.answer_held.is_set():
            self.answer_held.set()
            self.server_killed.wait(60)
            response.close()
            raise httpx.RemoteProtocolError("the connection died before the answer was read")
        return response


def create_person(database_url: str, instance_path) -> tuple[str, uuid.UUID]:
    """A service user committed to the subprocess server's database: (username, id)."""
    app = create_app(
        app_config(database_url, instance_path),
        environ={"ALONGSIDE_INSTANCE_PATH": str(instance_path)},
    )
    with app.app_context():
        person = make_service_user(db.session)
        db.session.commit()
        found = (person.username, person.id)
        db.engine.dispose()
    return found


def stored_counts(engine: sa.Engine, user_id: uuid.UUID) -> tuple[int, int, int]:
    """(check-in rows, distinct check-in ids, applied change records) for one person."""
    person = {"u": user_id if engine.dialect.name == "postgresql" else user_id.hex}
    with engine.connect() as connection:
        rows, distinct = connection.execute(
            sa.text("SELECT count(*), count(DISTINCT id) FROM checkins WHERE user_id = :u"),
            person,
        ).one()
        applied = connection.execute(
            sa.text("SELECT count(*) FROM sync_changes WHERE user_id = :u AND outcome = 'applied'"),
            person,
        ).scalar_one()
    return int(rows), int(distinct), int(applied)


def checkin(number: int) -> dict:
    return {
        "recorded_at": f"2026-10-{1 + number % 28:02d}T08:{number % 60:02d}:00+00:00",
        "shared": number % 3 == 0,
        "note": f"imported check-in {number}",
        "responses": [
            {
                "instrument": "alongside-checkin",
                "version": 1,
                "answers": {"trust_peer_worker": number % 11, "active_days": number % 8},
            }
        ],
    }


@pytest.mark.slow
def test_sigkill_mid_push_stores_every_checkin_exactly_once(
    live_server, committed_database, tmp_path
):
    username, user_id = create_person(committed_database.url, tmp_path)
    server = live_server(workers=2)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    network = Watched(drop_answer_of=4)
    transport = Transport(
        server.url,
        # Fast retries so the test is quick, but unlimited: the client must outlast the crash.
        backoff=Backoff(base=0.05, cap=0.5, max_attempts=None, sleep=sleep),
        http=network,
        timeout=30,
    )
    transport.sign_in(username, PASSWORD)
    phone = SyncClient(LocalStore(str(tmp_path / "phone.sqlite3")), transport)
    with phone.store.transaction():
        ids = {phone.put(checkin(number)) for number in range(CHECKINS)}

    outcome: dict[str, object] = {}

    def drain() -> None:
        try:
            outcome["report"] = phone.drain()
        except BaseException as error:  # surfaced by the assertion below
            outcome["error"] = error

    worker = threading.Thread(target=drain)
    worker.start()
    # First crash: while the 2nd push is in flight, at a random moment of the server's work
    # (most likely before its commit, so nothing of that batch is stored).
    with network.sent:
        assert network.sent.wait_for(lambda: network.pushes_sent >= 2, 120)
    time.sleep(random.uniform(0.0, 0.3))
    server.kill()
    time.sleep(0.3)
    server.restart()
    # Second crash: after the server committed the 4th push and before its answer arrived.
    assert network.answer_held.wait(120), "the client stopped pushing"
    server.kill()
    network.server_killed.set()
    time.sleep(0.3)
    server.restart()
    worker.join(timeout=300)
    assert not worker.is_alive(), "the client never finished"
    assert "error" not in outcome, outcome.get("error")
    assert waits, "no request failed, so no crash was survived"
    # The batch whose answer was lost came back as duplicates: stored once, not twice.
    assert outcome["report"].duplicates == 500

    assert phone.store.outbox() == []
    assert phone.rejected() == []
    engine = sa.create_engine(committed_database.url)
    assert stored_counts(engine, user_id) == (CHECKINS, CHECKINS, CHECKINS)
    engine.dispose()

    fresh = Transport(server.url)
    fresh.sign_in(username, PASSWORD)
    check = SyncClient(LocalStore(), fresh)
    check.pull(limit=1000)
    pulled = check.store.server_copy()
    assert set(pulled) == ids
    assert {version["rev"] for version in pulled.values()} == {1}
    assert sorted(version["data"]["note"] for version in pulled.values()) == sorted(
        f"imported check-in {number}" for number in range(CHECKINS)
    )
    transport.close()
    fresh.close()
