"""Sealed fields open only in their own row, for their own person, with their own key."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from server import crypto
from server.accounts.models import DeviceSession, Role, User
from server.keys.models import UserKey
from server.sealing import session_keys
from tests.support.factories import make_user


def named(session, username, display_name):
    user = make_user(session, Role.RESEARCHER, username=username)
    user.display_name = display_name
    session.flush()
    return user


def reload(session, model, key):
    session.expunge_all()
    session.info.clear()
    return session.get(model, key)


def test_a_sealed_value_round_trips_and_is_not_stored_in_the_clear(session):
    user = named(session, "rae", "Rae Marker-7731")
    raw = session.scalar(sa.select(User.display_name_sealed).where(User.id == user.id))
    assert b"Marker-7731" not in raw
    assert raw[0] == crypto.SEAL_FORMAT
    assert int.from_bytes(raw[1:5], "big") == 1
    assert reload(session, User, user.id).display_name == "Rae Marker-7731"


def test_sealing_the_same_value_twice_gives_different_ciphertexts(session):
    first, second = named(session, "rae", "Same Name"), named(session, "rob", "Same Name")
    assert first.display_name_sealed[17:] != second.display_name_sealed[17:]


def test_a_ciphertext_copied_to_another_persons_row_does_not_open(session):
    rae, rob = named(session, "rae", "Rae"), named(session, "rob", "Rob")
    session.execute(
        sa.update(User).where(User.id == rob.id).values(display_name_sealed=rae.display_name_sealed)
    )
    with pytest.raises(crypto.UnreadableError):
        _ = reload(session, User, rob.id).display_name


def test_a_ciphertext_copied_to_another_row_of_the_same_person_does_not_open(session):
    rae = named(session, "rae", "Rae")
    rows = []
    for label in ("Rae's phone", "Rae's laptop"):
        row = DeviceSession(
            user_id=rae.id,
            token_hash=crypto.hash_secret(label),
            created_at=rae.created_at,
            last_used_at=rae.created_at,
            expires_at=rae.created_at,
        )
        row.device_label = label
        session.add(row)
        rows.append(row)
    session.flush()
    phone, laptop = rows
    session.execute(
        sa.update(DeviceSession)
        .where(DeviceSession.id == laptop.id)
        .values(device_label_sealed=phone.device_label_sealed)
    )
    assert reload(session, DeviceSession, phone.id).device_label == "Rae's phone"
    with pytest.raises(crypto.UnreadableError):
        _ = reload(session, DeviceSession, laptop.id).device_label


def test_a_ciphertext_moved_to_another_column_does_not_open(session):
    rae = named(session, "rae", "Rae")
    row = DeviceSession(
        user_id=rae.id,
        token_hash="x" * 64,
        created_at=rae.created_at,
        last_used_at=rae.created_at,
        expires_at=rae.created_at,
    )
    session.add(row)
    session.flush()
    # Same person, and the session row reuses the user's id as its own: only the column differs.
    session.execute(
        sa.update(DeviceSession).values(id=rae.id, device_label_sealed=rae.display_name_sealed)
    )
    with pytest.raises(crypto.UnreadableError):
        _ = reload(session, DeviceSession, rae.id).device_label


def test_each_persons_data_key_is_wrapped_by_the_current_kek(session):
    rae = named(session, "rae", "Rae")
    key = session.get(UserKey, rae.id)
    assert key.kek_version == 1
    assert key.generation == 1
    assert len(key.wrapped_key) == crypto.NONCE_BYTES + crypto.KEY_BYTES + 16


def test_reading_many_rows_unwraps_each_persons_key_once(session):
    people = [named(session, f"person-{i}", f"Person {i}") for i in range(5)]
    for person in people:
        for n in range(4):
            row = DeviceSession(
                user_id=person.id,
                token_hash=crypto.hash_secret(f"{person.id}{n}"),
                created_at=person.created_at,
                last_used_at=person.created_at,
                expires_at=person.created_at,
            )
            row.device_label = f"device {n}"
            session.add(row)
    session.flush()
    session.expunge_all()
    session.info.clear()

    key_queries = []

    def count(conn, cursor, statement, *args):
        if "FROM user_keys" in statement:
            key_queries.append(statement)

    engine = session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        rows = session.scalars(sa.select(DeviceSession)).all()
        session_keys(session).prefetch(row.user_id for row in rows)
        labels = sorted(row.device_label for row in rows)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert labels == sorted(f"device {n}" for n in range(4) for _ in people)
    assert len(key_queries) == 1


def test_a_key_made_in_a_rolled_back_transaction_is_never_used(session):
    user = make_user(session, Role.RESEARCHER, username="rae")

    def name_then_fail():
        with session.begin_nested():
            user.display_name = "first try"
            session.flush()
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        name_then_fail()
    assert session.get(UserKey, user.id) is None
    user.display_name = "second try"
    session.flush()
    assert reload(session, User, user.id).display_name == "second try"


def test_expiring_a_row_that_was_garbage_collected_meanwhile_is_harmless():
    # SQLAlchemy hands the expire hook None for a row collected during expire_all.
    from server.sealing import _drop_opened_values

    _drop_opened_values(None, None)
