"""The client's outbox rules (PROTOCOL.md "Clients" 1 and 2), on a real local SQLite store."""

from __future__ import annotations

import uuid

import pytest

from sync.outbox import LocalStore

T1, T2, T3 = (f"2026-11-20T09:1{n}:00+00:00" for n in (1, 2, 3))
DATA = {"recorded_at": T1, "shared": False, "responses": []}


@pytest.fixture
def store(tmp_path):
    local = LocalStore(str(tmp_path / "device.sqlite3"))
    yield local
    local.close()


def known(store: LocalStore, id: str, rev: int, seq: int) -> None:
    store.store_page(
        [{"id": id, "rev": rev, "seq": seq, "deleted": False, "changed_at": T1, "data": DATA}],
        cursor=f"c{seq}",
        replace_all=False,
    )


def test_an_unsent_edit_replaces_the_entry_keeps_base_rev_and_gets_a_new_change_id(store):
    id = str(uuid.uuid4())
    known(store, id, rev=3, seq=7)
    first = store.record_change(id=id, op="put", changed_at=T2, data={**DATA, "note": "a"})
    second = store.record_change(id=id, op="put", changed_at=T3, data={**DATA, "note": "b"})
    assert [entry.change_id for entry in store.outbox()] == [second.change_id]
    assert second.change_id != first.change_id
    assert (second.base_rev, second.data["note"], second.changed_at) == (3, "b", T3)


def test_a_delete_replaces_a_pending_edit_with_the_same_base_rev(store):
    id = str(uuid.uuid4())
    known(store, id, rev=2, seq=4)
    store.record_change(id=id, op="put", changed_at=T2, data=DATA)
    delete = store.record_change(id=id, op="delete", changed_at=T3, data=None)
    assert [(e.op, e.base_rev, e.data) for e in store.outbox()] == [("delete", 2, None)]
    assert delete.change_id == store.outbox()[0].change_id


def test_deleting_a_checkin_the_server_never_saw_removes_the_entry(store):
    id = str(uuid.uuid4())
    store.record_change(id=id, op="put", changed_at=T1, data=DATA)
    assert store.record_change(id=id, op="delete", changed_at=T2, data=None) is None
    assert store.outbox() == []


def test_deleting_a_checkin_already_sent_once_keeps_a_delete(store):
    """The server may have applied it even though no answer came back."""
    id = str(uuid.uuid4())
    put = store.record_change(id=id, op="put", changed_at=T1, data=DATA)
    store.mark_sent([put.change_id])
    delete = store.record_change(id=id, op="delete", changed_at=T2, data=None)
    assert delete is not None
    assert [(e.op, e.base_rev) for e in store.outbox()] == [("delete", None)]


def test_an_acknowledgement_removes_the_entry_only_if_it_still_holds_what_was_sent(store):
    id = str(uuid.uuid4())
    sent = store.record_change(id=id, op="put", changed_at=T1, data=DATA)
    store.mark_sent([sent.change_id])
    edited = store.record_change(id=id, op="put", changed_at=T2, data={**DATA, "note": "later"})
    store.acknowledge(sent, rev=1, seq=10)
    [left] = store.outbox()
    assert left.change_id == edited.change_id
    assert left.data["note"] == "later"
    # The edit was made on top of the version just acknowledged.
    assert left.base_rev == 1
    assert store.server_version(id)["rev"] == 1

    store.acknowledge(left, rev=2, seq=11)
    assert store.outbox() == []
    assert store.server_version(id)["data"]["note"] == "later"


def test_a_late_acknowledgement_never_rolls_back_a_newer_pulled_version(store):
    id = str(uuid.uuid4())
    sent = store.record_change(id=id, op="put", changed_at=T1, data=DATA)
    known(store, id, rev=2, seq=20)  # another device's edit, pulled meanwhile
    store.acknowledge(sent, rev=1, seq=5)
    assert (store.server_version(id)["rev"], store.server_version(id)["seq"]) == (2, 20)


def test_forgetting_a_purged_checkin_drops_the_entry_only_if_it_still_holds_what_was_sent(store):
    id = str(uuid.uuid4())
    known(store, id, rev=1, seq=1)
    sent = store.record_change(id=id, op="put", changed_at=T1, data=DATA)
    store.mark_sent([sent.change_id])
    edited = store.record_change(id=id, op="put", changed_at=T2, data={**DATA, "note": "later"})
    store.forget(sent)
    assert store.server_version(id) is None
    assert [entry.change_id for entry in store.outbox()] == [edited.change_id]

    store.forget(edited)
    assert store.outbox() == []


def test_a_page_and_its_cursor_are_stored_together(store):
    id = str(uuid.uuid4())
    with pytest.raises(KeyError):
        store.store_page([{"id": id}], cursor="c1", replace_all=False)  # damaged page
    assert store.get_meta("cursor") is None
    assert store.server_copy() == {}


def test_a_reset_page_replaces_the_whole_server_copy(store):
    old, new = str(uuid.uuid4()), str(uuid.uuid4())
    known(store, old, rev=1, seq=1)
    store.store_page(
        [{"id": new, "rev": 1, "seq": 9, "deleted": False, "changed_at": T1, "data": DATA}],
        cursor="c9",
        replace_all=True,
    )
    assert set(store.server_copy()) == {new}
    assert store.get_meta("cursor") == "c9"


def test_rejected_changes_are_listed_until_discarded(store):
    id = str(uuid.uuid4())
    sent = store.record_change(id=id, op="put", changed_at=T1, data=DATA)
    store.reject(sent, {"data.note": ["too long"]}, now=T2)
    [rejected] = store.rejected()
    assert (rejected.id, rejected.errors, rejected.data) == (id, {"data.note": ["too long"]}, DATA)
    assert store.outbox() == []
    assert store.discard_rejected(rejected.change_id) is True
    assert store.rejected() == []


def test_the_store_survives_reopening(tmp_path):
    path = str(tmp_path / "device.sqlite3")
    first = LocalStore(path)
    device = first.device_id()
    entry = first.record_change(id=str(uuid.uuid4()), op="put", changed_at=T1, data=DATA)
    first.close()
    again = LocalStore(path)
    assert again.device_id() == device
    assert [e.change_id for e in again.outbox()] == [entry.change_id]
    again.close()
