"""A conflict replayed after the server purged the check-in (PROTOCOL.md, ``duplicate``)."""

from __future__ import annotations

import json
import uuid

import httpx

from sync.client import PUSH_PATH, SyncClient
from sync.outbox import LocalStore
from sync.transport import Transport

T1, T2 = "2026-11-20T09:11:00+00:00", "2026-11-20T09:12:00+00:00"
DATA = {"recorded_at": T1, "shared": False, "responses": []}


def purged_server() -> httpx.MockTransport:
    """An HTTP peer that deleted every check-in and purged the tombstones long ago.

    Every pushed change is a replay of a conflict, so it answers ``current: null``; pull
    has nothing to give.
    """

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path != PUSH_PATH:
            empty = {"changes": [], "cursor": "v1.Mg", "more": False, "live_count": 0}
            return httpx.Response(200, json={**empty, "reset": False})
        results = [
            {
                "change_id": change["change_id"],
                "id": change["id"],
                "status": "duplicate",
                "outcome": "conflict",
                "current": None,
            }
            for change in json.loads(request.content)["changes"]
        ]
        return httpx.Response(200, json={"results": results, "server_time": T2})

    return httpx.MockTransport(handle)


def test_a_replayed_conflict_with_current_null_drops_the_change_and_the_local_copy():
    store = LocalStore()
    id = str(uuid.uuid4())
    version = {"id": id, "rev": 1, "seq": 1, "deleted": False, "changed_at": T1, "data": DATA}
    store.store_page([version], cursor="v1.MQ", replace_all=False)
    phone = SyncClient(store, Transport("http://sync.test", "tok", http=purged_server()))
    phone.edit(id, {**DATA, "note": "edited offline"})

    report = phone.drain()
    assert store.outbox() == []
    assert store.server_version(id) is None
    assert phone.checkins() == {}
    assert phone.rejected() == []
    assert (report.duplicates, report.conflicts, report.repushed, report.rejected) == (1, 1, 0, 0)
    store.close()
