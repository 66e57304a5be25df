"""The feed never skips a committed change (DESIGN.md §4), proven on PostgreSQL.

Several threads push for one person through the real server (gunicorn, several workers
and threads) while another thread pulls in a loop. At the end the puller must hold every
applied change exactly once.

Why this can fail. With a plain global auto-increment (a sequence) and no lock, two
pushes of one person can take seqs 10 and 11 and commit in the order 11, 10. A pull in
between sees 11, moves its cursor to 11, and never asks for 10 again: 10 is missing at
the end, and ``feed_gaps`` reports it. The second test stages exactly that interleaving
with two database connections, to show the checker and pull together notice it. The real
allocator takes each person's next seq under a lock on their feed row, held to commit,
so a seq is never visible before every smaller one is.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime

import httpx
import pytest
import sqlalchemy as sa

from server import create_app
from server.extensions import db
from tests.conftest import TEST_KEYS
from tests.support.checkins import PULL, PUSH, push_body, put
from tests.support.factories import PASSWORD, make_service_user

pytestmark = [pytest.mark.postgresql_only, pytest.mark.slow]

PUSHERS = 4
PUSHES_EACH = 15
CHANGES_EACH = 8


def feed_gaps(applied: dict[str, int], pulled: list[tuple[str, int]]) -> dict[str, list]:
    """What the puller got wrong: applied check-ins it never saw, and ones it saw twice."""
    seen: dict[str, int] = {}
    for checkin_id, _seq in pulled:
        seen[checkin_id] = seen.get(checkin_id, 0) + 1
    return {
        "missing": sorted(set(applied) - set(seen)),
        "repeated": sorted(key for key, count in seen.items() if count > 1),
        "unexpected": sorted(set(seen) - set(applied)),
    }


def make_person(database_url: str, instance) -> str:
    """A service user in the committed database; returns the username."""
    app = create_app(
        {"DATABASE_URL": database_url, "KEYS": TEST_KEYS, "TESTING": True},
        environ={"ALONGSIDE_INSTANCE_PATH": str(instance)},
    )
    with app.app_context():
        person = make_service_user(db.session())
        db.session.commit()
        username = person.username
        db.engine.dispose()
    return username


def sign_in(base: str, username: str) -> dict[str, str]:
    response = httpx.post(
        base + "/api/v1/auth/login", json={"username": username, "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


class Puller(threading.Thread):
    """Pulls in a loop like a client: stores each page's changes, then moves the cursor."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.http = httpx.Client(base_url=base, headers=headers, timeout=30)
        self.cursor: str | None = None
        self.pulled: list[tuple[str, int]] = []
        self.pulls = 0
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def drain(self) -> None:
        while True:
            params = {"limit": 50, **({"cursor": self.cursor} if self.cursor else {})}
            body = self.http.get(PULL, params=params).raise_for_status().json()
            self.pulls += 1
            assert body["reset"] is False
            self.pulled += [(change["id"], change["seq"]) for change in body["changes"]]
            self.cursor = body["cursor"]
            if not body["more"]:
                return

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self.drain()
        except BaseException as exc:  # reported by the test thread
            self.failure = exc


def test_concurrent_pushes_never_hide_a_change_from_a_puller(
    skip_unless_postgresql, committed_database, live_server, tmp_path
):
    username = make_person(committed_database.url, tmp_path)
    server = live_server(workers=2, threads=4)
    headers = sign_in(server.url, username)
    applied: dict[str, int] = {}
    lock = threading.Lock()
    failures: list[BaseException] = []

    def pusher() -> None:
        device = str(uuid.uuid4())
        try:
            with httpx.Client(base_url=server.url, headers=headers, timeout=60) as http:
                for _ in range(PUSHES_EACH):
                    changes = [put() for _ in range(CHANGES_EACH)]
                    response = http.post(PUSH, json=push_body(*changes, device_id=device))
                    results = response.raise_for_status().json()["results"]
                    with lock:
                        for result in results:
                            assert result["status"] == "applied", result
                            applied[result["id"]] = result["seq"]
        except BaseException as exc:
            failures.append(exc)

    puller = Puller(server.url, headers)
    puller.start()
    pushers = [threading.Thread(target=pusher) for _ in range(PUSHERS)]
    for thread in pushers:
        thread.start()
    for thread in pushers:
        thread.join(timeout=300)
    puller.stop.set()
    puller.join(timeout=60)
    assert not failures, failures
    assert puller.failure is None, puller.failure
    puller.drain()  # what a client does next time: nothing may be left behind
    puller.http.close()

    assert len(applied) == PUSHERS * PUSHES_EACH * CHANGES_EACH
    assert sorted(applied.values()) == list(range(1, len(applied) + 1))  # no gaps, no reuse
    assert puller.pulls > PUSHERS  # it really pulled while pushes were in flight
    assert feed_gaps(applied, puller.pulled) == {"missing": [], "repeated": [], "unexpected": []}


def test_the_checker_catches_commits_out_of_seq_order(
    skip_unless_postgresql, committed_database, live_server, tmp_path
):
    """Stage what a lock-free global sequence allows: seq 2 committed before seq 1."""
    username = make_person(committed_database.url, tmp_path)
    server = live_server(workers=1, threads=2)
    headers = sign_in(server.url, username)
    engine = sa.create_engine(committed_database.url)
    now = datetime.now(UTC)
    ids = {1: str(uuid.uuid4()), 2: str(uuid.uuid4())}
    insert = sa.text(
        "INSERT INTO checkins (id, user_id, device_id, rev, seq, recorded_at, changed_at,"
        " received_at, effective_at, clock_skew, shared, deleted, instruments)"
        " SELECT :id, id, :device, 1, :seq, :now, :now, :now, :now, false, false, true, ''"
        " FROM users WHERE username = :username"
    )
    feed = sa.text(
        "INSERT INTO checkin_feeds (user_id, last_seq, purged_below_seq, live_count)"
        " SELECT id, 2, 0, 0 FROM users WHERE username = :username"
    )
    row = {"now": now, "username": username}
    try:
        with engine.connect() as first, engine.connect() as second:
            first.begin()
            first.execute(insert, {**row, "id": ids[1], "device": ids[1], "seq": 1})
            with second.begin():
                second.execute(insert, {**row, "id": ids[2], "device": ids[2], "seq": 2})
                second.execute(feed, {"username": username})
            puller = Puller(server.url, headers)
            puller.drain()  # sees seq 2 only; the cursor moves past 1
            first.commit()
            puller.drain()
            puller.http.close()
    finally:
        engine.dispose()
    assert puller.pulled == [(ids[2], 2)]
    assert feed_gaps({ids[1]: 1, ids[2]: 2}, puller.pulled)["missing"] == [ids[1]]
