"""The Python sync client against the real app: every rule of PROTOCOL.md "Clients"."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import sqlalchemy as sa

from server.checkins import routes
from server.checkins.jobs import purge_tombstones
from server.checkins.models import CheckinFeed
from server.clock import utcnow
from sync.client import PUSH_PATH, SyncClient
from sync.outbox import LocalStore
from sync.protocol import MAX_BODY_BYTES
from sync.transport import Backoff, ServerUnavailable, SignInRequired, Transport
from tests.sync.conftest import device_token

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Clock:
    """A device clock the test moves by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def later(self, minutes: int = 1) -> Clock:
        self.now += timedelta(minutes=minutes)
        return self


def checkin(note: str = "a quiet week", trust: int = 7) -> dict:
    return {
        "recorded_at": "2026-11-20T09:00:00+00:00",
        "shared": False,
        "note": note,
        "responses": [
            {
                "instrument": "alongside-checkin",
                "version": 1,
                "answers": {"trust_peer_worker": trust, "hope_weeks_ahead": 5},
            }
        ],
    }


def notes(client: SyncClient) -> dict[str, str]:
    return {id: shown["data"]["note"] for id, shown in client.checkins().items()}


@pytest.fixture
def two_devices(sync_device, service_user):
    clock = Clock()
    return sync_device(service_user, clock=clock), sync_device(service_user, clock=clock), clock


def test_an_offline_checkin_reaches_the_server_and_the_other_device(two_devices):
    phone, tablet, _ = two_devices
    id = phone.put(checkin())
    assert phone.checkin(id)["pending"] is True
    assert tablet.drain().pulled == 0

    report = phone.drain()
    assert (report.applied, phone.store.outbox()) == (1, [])
    assert phone.checkin(id) == {"id": id, "rev": 1, "data": checkin(), "pending": False}
    tablet.drain()
    assert tablet.checkin(id)["data"] == checkin()
    assert tablet.store.server_version(id)["scores"]["alongside-checkin@1"]


def test_the_later_edit_wins_even_when_it_arrives_second(two_devices):
    phone, tablet, clock = two_devices
    id = phone.put(checkin())
    phone.drain()
    tablet.drain()
    tablet.edit(id, checkin("tablet, earlier"))
    clock.later()
    phone.edit(id, checkin("phone, later"))
    tablet.drain()

    report = phone.drain()
    assert (report.conflicts, report.repushed) == (1, 1)
    tablet.drain()
    assert notes(phone) == notes(tablet) == {id: "phone, later"}
    assert phone.checkin(id)["rev"] == tablet.checkin(id)["rev"] == 3


def test_the_earlier_edit_adopts_the_servers_version(two_devices):
    phone, tablet, clock = two_devices
    id = phone.put(checkin())
    phone.drain()
    tablet.drain()
    phone.edit(id, checkin("phone, earlier"))
    clock.later()
    tablet.edit(id, checkin("tablet, later"))
    tablet.drain()

    report = phone.drain()
    assert (report.conflicts, report.repushed, phone.store.outbox()) == (1, 0, [])
    assert notes(phone) == notes(tablet) == {id: "tablet, later"}
    assert phone.rejected() == []


def test_ties_go_to_the_greater_device_id(sync_device, service_user):
    clock = Clock()
    first, second = sync_device(service_user, clock=clock), sync_device(service_user, clock=clock)
    greater, lesser = sorted([first, second], key=lambda c: c.device_id, reverse=True)
    id = greater.put(checkin())
    greater.drain()
    lesser.drain()
    greater.edit(id, checkin("greater device"))
    lesser.edit(id, checkin("lesser device"))  # the same changed_at
    greater.drain()
    lesser.drain()
    greater.drain()
    assert notes(greater) == notes(lesser) == {id: "greater device"}


def test_a_delete_beats_an_edit_made_later_elsewhere(two_devices):
    phone, tablet, clock = two_devices
    id = phone.put(checkin())
    phone.drain()
    tablet.drain()
    phone.delete(id)
    clock.later()
    tablet.edit(id, checkin("edited after the delete"))
    phone.drain()

    report = tablet.drain()
    assert report.conflicts == 1
    assert tablet.checkins() == phone.checkins() == {}
    assert tablet.store.server_version(id)["deleted"] is True
    assert tablet.rejected() == []


def test_a_pending_delete_applies_over_an_edit_from_another_device(two_devices):
    phone, tablet, clock = two_devices
    id = phone.put(checkin())
    phone.drain()
    tablet.drain()
    tablet.edit(id, checkin("edited"))
    tablet.drain()
    clock.later()
    phone.delete(id)
    assert phone.drain().applied == 1
    tablet.drain()
    assert phone.checkins() == tablet.checkins() == {}
    assert phone.store.server_version(id)["rev"] == 3


def test_a_pulled_version_never_overwrites_a_pending_edit(two_devices):
    phone, tablet, clock = two_devices
    id = phone.put(checkin())
    phone.drain()
    tablet.drain()
    phone.edit(id, checkin("mine, not sent yet"))
    clock.later()
    tablet.edit(id, checkin("theirs"))
    tablet.drain()
    phone.pull()
    assert phone.checkin(id)["data"]["note"] == "mine, not sent yet"
    assert phone.checkin(id)["rev"] == 2  # the server's latest rev is remembered


class Interfering(httpx.BaseTransport):
    """The app, but another device edits the check-in just before each of this push."""

    def __init__(self, app, before_push) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.before_push = before_push

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == PUSH_PATH:
            self.before_push()
        return self.inner.handle_request(request)


def test_after_five_repushes_the_change_waits_for_the_person(app, session, service_user, tmp_path):
    behind = Clock(START - timedelta(days=1))  # the other device's edits are always older
    tablet = SyncClient(
        LocalStore(),
        Transport(
            "http://t", device_token(session, service_user), http=httpx.WSGITransport(app=app)
        ),
        clock=behind,
    )
    id = tablet.put(checkin())
    tablet.drain()
    interfere = {"on": True}

    def tablet_edits_first() -> None:
        if interfere["on"]:
            tablet.edit(id, checkin(f"tablet {behind.later().now:%H%M}"))
            tablet.push()

    phone = SyncClient(
        LocalStore(),
        Transport(
            "http://t",
            device_token(session, service_user),
            http=Interfering(app, tablet_edits_first),
        ),
        clock=Clock(),
    )
    phone.pull()
    phone.edit(id, checkin("phone"))
    report = phone.push()
    assert (report.conflicts, report.repushed, report.rejected) == (6, 5, 1)
    [waiting] = phone.rejected()
    assert waiting.errors == {"id": ["changed on another device"]}
    assert waiting.data["note"] == "phone"
    assert phone.store.outbox() == []

    interfere["on"] = False
    phone.resend_rejected(waiting.change_id)
    assert phone.drain().applied == 1
    assert phone.rejected() == []
    tablet.drain()
    assert notes(tablet) == {id: "phone"}


def test_a_rejected_change_is_listed_fixed_and_resent(sync_device, service_user):
    phone = sync_device(service_user, clock=Clock())
    good, bad = phone.put(checkin()), phone.put(checkin(trust=11))
    report = phone.drain()
    assert (report.applied, report.rejected) == (1, 1)
    [rejected] = phone.rejected()
    assert rejected.id == bad
    assert list(rejected.errors) == ["data.responses.0.answers.trust_peer_worker"]
    assert set(phone.checkins()) == {good}  # nothing shown that the server refused

    phone.resend_rejected(rejected.change_id, checkin(trust=10))
    assert phone.drain().applied == 1
    assert phone.rejected() == []
    assert phone.checkin(bad)["data"]["responses"][0]["answers"]["trust_peer_worker"] == 10


def test_discarding_a_rejected_change_forgets_it(sync_device, service_user):
    phone = sync_device(service_user, clock=Clock())
    phone.put(checkin(note="x" * 2001))
    phone.drain()
    [rejected] = phone.rejected()
    assert list(rejected.errors) == ["data.note"]
    assert phone.discard_rejected(rejected.change_id) is True
    assert (phone.rejected(), phone.checkins(), phone.store.outbox()) == ([], {}, [])


def test_pull_pages_until_more_is_false_and_keeps_the_cursor(two_devices):
    phone, tablet, _ = two_devices
    ids = {phone.put(checkin(f"n{n}")) for n in range(5)}
    phone.drain()
    report = tablet.pull(limit=2)
    assert (report.pages, report.pulled) == (3, 5)
    assert set(tablet.checkins()) == ids
    assert tablet.store.get_meta("cursor")
    assert tablet.pull(limit=2).pulled == 0


def test_a_diverged_local_copy_is_downloaded_again(two_devices):
    phone, tablet, _ = two_devices
    ids = {phone.put(checkin(f"n{n}")) for n in range(3)}
    phone.drain()
    tablet.drain()
    with tablet.store.transaction() as db:  # local damage the cursor cannot see
        db.execute("DELETE FROM server_copy WHERE id = ?", (sorted(ids)[0],))
    report = tablet.pull()
    assert report.redownloaded is True
    assert set(tablet.checkins()) == ids


def test_an_unreadable_cursor_starts_over(two_devices):
    phone, tablet, _ = two_devices
    id = phone.put(checkin())
    phone.drain()
    tablet.store.set_meta("cursor", "v0.from-an-older-server")
    report = tablet.pull()
    assert report.redownloaded is True
    assert set(tablet.checkins()) == {id}


def test_a_reset_replaces_the_local_copy_and_keeps_the_outbox(two_devices, session, service_user):
    phone, tablet, clock = two_devices
    kept, purged = phone.put(checkin("kept")), phone.put(checkin("purged"))
    phone.drain()
    tablet.drain()
    phone.delete(purged)
    phone.drain()
    # Tombstones past retention purged (what the housekeeping job does): the cursor is old.
    feed = session.get(CheckinFeed, service_user.id)
    session.execute(
        sa.update(CheckinFeed)
        .where(CheckinFeed.user_id == service_user.id)
        .values(purged_below_seq=feed.last_seq + 1)
    )
    session.commit()
    clock.later()
    pending = tablet.put(checkin("offline meanwhile"))
    stale = {"id": "stale", "rev": 1, "seq": 1, "deleted": False, "data": checkin("gone")}
    with tablet.store.transaction() as db:  # a version the server no longer serves
        db.execute("INSERT INTO server_copy VALUES ('stale', 1, 1, 0, ?)", (json.dumps(stale),))

    report = tablet.pull()
    assert "stale" not in tablet.store.server_copy()
    assert report.reset is True
    assert tablet.store.server_copy()[purged]["deleted"] is True
    assert set(tablet.checkins()) == {kept, pending}
    assert [entry.id for entry in tablet.store.outbox()] == [pending]


class LosingPushAnswers(httpx.BaseTransport):
    """The app in-process; while ``losing``, every push is applied but its answer is lost."""

    def __init__(self, app) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.losing = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.losing and request.url.path == PUSH_PATH:
            raise httpx.ReadError("the connection dropped before the answer arrived")
        return response


def phone_on(network: httpx.BaseTransport, token: str, clock: Clock) -> SyncClient:
    """A phone syncing through ``network``, giving up a drain after two quick attempts."""
    no_wait = Backoff(sleep=lambda seconds: None, max_attempts=2)
    return SyncClient(
        LocalStore(), Transport("http://t", token, http=network, backoff=no_wait), clock=clock
    )


def test_an_edit_replayed_after_its_tombstone_was_purged_is_dropped(
    app, session, service_user, sync_device, monkeypatch
):
    clock = Clock()
    network = LosingPushAnswers(app)
    phone = phone_on(network, device_token(session, service_user), clock)
    tablet = sync_device(service_user, clock=clock)
    id = phone.put(checkin())
    phone.drain()
    tablet.drain()
    tablet.delete(id)
    tablet.drain()
    phone.edit(id, checkin("edited offline"))
    # The edit reaches the server 60 days after the delete (a conflict), but the phone
    # never hears back. The purge past 90 days then takes the tombstone, not the record.
    monkeypatch.setattr(routes, "utcnow", lambda: utcnow() + timedelta(days=60))
    network.losing = True
    with pytest.raises(ServerUnavailable):
        phone.drain()
    purge_tombstones(session, now=utcnow() + timedelta(days=91), retention=timedelta(days=90))
    session.commit()
    network.losing = False

    report = phone.drain()
    assert (report.duplicates, report.conflicts) == (1, 1)
    assert phone.store.outbox() == []
    assert phone.checkins() == tablet.checkins() == {}
    assert phone.rejected() == []
    phone.transport.close()
    phone.store.close()


def test_a_put_replayed_after_its_record_was_purged_does_not_bring_the_checkin_back(
    app, session, service_user, sync_device
):
    """The phone never heard its put was applied; the tablet deleted it; months later the
    tombstone and the put's record are both purged, and the phone replays the put."""
    clock = Clock()
    network = LosingPushAnswers(app)
    phone = phone_on(network, device_token(session, service_user), clock)
    tablet = sync_device(service_user, clock=clock)
    network.losing = True
    id = phone.put(checkin())
    with pytest.raises(ServerUnavailable):
        phone.drain()
    tablet.drain()
    tablet.delete(id)
    tablet.drain()
    purged = purge_tombstones(
        session, now=utcnow() + timedelta(days=91), retention=timedelta(days=90)
    )
    session.commit()
    assert (purged["tombstones"], purged["sync_changes"]) == (1, 2)
    network.losing = False

    report = phone.drain()
    assert report.conflicts == 1
    assert phone.store.outbox() == []
    tablet.drain()
    assert phone.checkins() == tablet.checkins() == {}
    assert phone.rejected() == []
    phone.transport.close()
    phone.store.close()


def test_401_stops_the_drain_and_keeps_the_outbox(app, service_user):
    phone = SyncClient(
        LocalStore(), Transport("http://t", "not-a-token", http=httpx.WSGITransport(app=app))
    )
    id = phone.put(checkin())
    with pytest.raises(SignInRequired):
        phone.drain()
    assert [entry.id for entry in phone.store.outbox()] == [id]


class Recording(httpx.BaseTransport):
    def __init__(self, app) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == PUSH_PATH:
            self.bodies.append(request.read())
        return self.inner.handle_request(request)


def test_pushes_are_batched_by_count_and_size(app, session, service_user):
    network = Recording(app)
    phone = SyncClient(
        LocalStore(), Transport("http://t", device_token(session, service_user), http=network)
    )
    with phone.store.transaction():
        for n in range(1100):
            phone.put(checkin(note=f"{n:04d}" + "é" * (1990 if n >= 600 else 0)))
    report = phone.drain()
    assert report.applied == 1100
    sizes = [len(json.loads(body)["changes"]) for body in network.bodies]
    assert max(sizes) == 500
    assert sum(sizes) == 1100
    assert all(len(body) < MAX_BODY_BYTES for body in network.bodies)
    # 500 check-ins with 2,000-character notes are over 1 MiB: they need smaller batches.
    assert len(network.bodies) >= 4
