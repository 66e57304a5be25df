"""Convergence: two devices of one person, random offline edits, lost answers and replays.

Hypothesis draws a programme of actions on two devices: offline puts, edits and deletes;
pushes; pushes whose answers are lost after the server processed them (once, so the
client's retry sees duplicates, or for the whole push, so the next push does); pulls;
and replays of earlier push requests. A shared clock moves on one second per action, as
two phones synced to network time would. After both devices drain until quiet:

- both devices and a freshly synced third one hold the same check-ins, with the same
  revs and the same content, and their outboxes and rejected lists are empty;
- no change the rules say should survive is lost: a check-in anyone deleted is gone,
  and every other one holds its latest edit (PROTOCOL.md "Clients" 4).
"""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sync.client import PUSH_PATH, SyncClient
from sync.outbox import LocalStore
from sync.transport import Backoff, ServerUnavailable, Transport
from tests.support.factories import make_service_user
from tests.sync.conftest import device_token

DEVICES = (0, 1)
EDIT = st.tuples(st.just("edit"), st.sampled_from(DEVICES), st.integers(0, 2))
# Edits weigh most: conflicts need both devices editing the same few check-ins.
ACTIONS = st.one_of(
    st.tuples(st.just("put"), st.sampled_from(DEVICES)),
    EDIT,
    EDIT,
    EDIT,
    st.tuples(st.just("delete"), st.sampled_from(DEVICES), st.integers(0, 2)),
    st.tuples(st.just("push"), st.sampled_from(DEVICES)),
    st.tuples(st.just("push"), st.sampled_from(DEVICES)),
    st.tuples(st.just("drain"), st.sampled_from(DEVICES)),
    st.tuples(st.just("push_lost"), st.sampled_from(DEVICES), st.sampled_from([1, 99])),
    st.tuples(st.just("pull"), st.sampled_from(DEVICES)),
    st.tuples(st.just("replay"), st.sampled_from(DEVICES), st.integers(0, 7)),
)


class LossyNetwork(httpx.BaseTransport):
    """The app in-process, but answers can be lost after the server has processed them."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.WSGITransport(app=app)
        self.lose_next = 0
        self.pushes: list[bytes] = []
        self.statuses: set[str] = set()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        response = self.inner.handle_request(request)
        response.read()
        if request.url.path == PUSH_PATH and response.status_code == 200:
            self.pushes.append(body)
            self.statuses.update(result["status"] for result in response.json()["results"])
        if self.lose_next > 0:
            self.lose_next -= 1
            raise httpx.ReadError("connection dropped before the answer arrived")
        return response


class SharedClock:
    """Network time on both phones: one second later at every action."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def tick(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def __call__(self) -> datetime:
        return self.now


def content(number: int, recorded_at: str) -> dict[str, Any]:
    return {
        "recorded_at": recorded_at,
        "shared": number % 2 == 0,
        "note": f"version {number}",
        "responses": [
            {
                "instrument": "alongside-checkin",
                "version": 1,
                "answers": {"trust_peer_worker": number % 11, "active_days": number % 8},
            }
        ],
    }


def state(client: SyncClient) -> dict[str, tuple[int | None, str]]:
    """What a device shows, as comparable values: rev and content by id."""
    return {
        id: (shown["rev"], json.dumps(shown["data"], sort_keys=True))
        for id, shown in client.checkins().items()
    }


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shared=st.integers(1, 3), programme=st.lists(ACTIONS, min_size=6, max_size=40))
def test_two_devices_converge_and_keep_what_the_rules_keep(app, session, shared, programme):
    person = make_service_user(session)
    session.commit()
    clock = SharedClock()
    networks = [LossyNetwork(app) for _ in DEVICES]
    devices = [
        SyncClient(
            LocalStore(),
            Transport(
                "http://alongside.test",
                device_token(session, person),
                http=network,
                backoff=Backoff(sleep=lambda seconds: None, max_attempts=3),
            ),
            clock=clock,
        )
        for network in networks
    ]
    # The oracle: every edit by id (time, content) and which ids anyone deleted.
    edits: dict[str, list[tuple[datetime, str]]] = {}
    deleted: set[str] = set()
    counter = 0
    # Start from a few check-ins both devices already hold, so their edits can collide.
    for _ in range(shared):
        counter += 1
        data = content(counter, clock.tick().isoformat())
        edits[devices[0].put(data)] = [(clock.now, json.dumps(data, sort_keys=True))]
    for device in (*devices, devices[0]):
        device.drain()

    for action in programme:
        kind, which = action[0], action[1]
        device, network = devices[which], networks[which]
        clock.tick()
        shown = sorted(device.checkins())
        if kind == "put":
            counter += 1
            data = content(counter, clock.now.isoformat())
            id = device.put(data)
            edits[id] = [(clock.now, json.dumps(data, sort_keys=True))]
        elif kind == "edit" and shown:
            counter += 1
            id = shown[action[2] % len(shown)]
            recorded_at = device.checkin(id)["data"]["recorded_at"]
            data = content(counter, recorded_at)
            device.edit(id, data)
            edits[id].append((clock.now, json.dumps(data, sort_keys=True)))
        elif kind == "delete" and shown:
            id = shown[action[2] % len(shown)]
            device.delete(id)
            deleted.add(id)
        elif kind == "push":
            device.push()
        elif kind == "push_lost":
            network.lose_next = action[2]
            # Offline until a later push when every answer is lost; the outbox keeps all.
            with contextlib.suppress(ServerUnavailable):
                device.push()
            network.lose_next = 0
        elif kind == "pull":
            device.pull()
        elif kind == "drain":
            device.drain()
        elif kind == "replay" and network.pushes:
            body = network.pushes[action[2] % len(network.pushes)]
            answer = device.transport.send_once("POST", PUSH_PATH, content=body)
            assert answer.status_code == 200
            assert {result["status"] for result in answer.json()["results"]} == {"duplicate"}

    for _ in range(10):
        reports = [device.drain() for device in devices]
        if all(report.applied == 0 for report in reports) and not any(
            device.store.outbox() for device in devices
        ):
            break
    third = SyncClient(
        LocalStore(),
        Transport(
            "http://alongside.test",
            device_token(session, person),
            http=httpx.WSGITransport(app=app),
        ),
    )
    third.pull()

    # Coverage, visible with --hypothesis-show-statistics.
    for status in sorted(networks[0].statuses | networks[1].statuses):
        event(f"a push answered {status}")

    for device in devices:
        assert device.store.outbox() == []
        assert device.rejected() == []
    server = state(third)
    assert state(devices[0]) == server
    assert state(devices[1]) == server
    assert {id: (v["rev"], v["deleted"]) for id, v in devices[0].store.server_copy().items()} == {
        id: (v["rev"], v["deleted"]) for id, v in third.store.server_copy().items()
    }
    expected = {id: max(history)[1] for id, history in edits.items() if id not in deleted}
    assert {id: data for id, (_, data) in server.items()} == expected
    for client in [*devices, third]:
        client.transport.close()
        client.store.close()


@pytest.mark.parametrize("lost", [1, 99])
def test_a_lost_answer_never_stores_a_checkin_twice(app, session, lost):
    """The simplest case of the property, spelled out: push, lose the answer, push again."""
    person = make_service_user(session)
    session.commit()
    network = LossyNetwork(app)
    device = SyncClient(
        LocalStore(),
        Transport(
            "http://alongside.test",
            device_token(session, person),
            http=network,
            backoff=Backoff(sleep=lambda seconds: None, max_attempts=3),
        ),
    )
    id = device.put(content(1, "2026-11-20T09:15:00+00:00"))
    network.lose_next = lost
    try:
        statuses = device.push().statuses  # the client's own retry gets the answer
    except ServerUnavailable:
        network.lose_next = 0
        statuses = device.drain().statuses  # the next drain does
    assert statuses == ["duplicate"]
    device.drain()
    assert device.store.outbox() == []
    assert {v["id"]: v["rev"] for v in device.store.server_copy().values()} == {id: 1}
    device.transport.close()
    device.store.close()
