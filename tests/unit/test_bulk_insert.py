"""insert_rows: COPY on PostgreSQL, executemany on SQLite, the same stored rows either way."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from server.accounts.models import Service
from server.bulk_insert import MANY_ROWS, _picker, insert_rows
from server.checkins.models import SyncChange
from tests.support.factories import make_service_user

RECORDS = SyncChange.__table__


def record(user_id: uuid.UUID, **changes: object) -> dict[str, object]:
    return {
        "user_id": user_id,
        "change_id": uuid.uuid4(),
        "device_id": uuid.uuid4(),
        "payload_hash": "ab" * 32,
        "outcome": "rejected",
        "rev": None,
        "seq": None,
        "errors": {"data.note": ["at most 2,000 characters"]},
        "created_at": datetime(2026, 11, 20, 9, 15, 0, 120, tzinfo=UTC),
        **changes,
    }


# One row, a few (an INSERT on every database) and enough for COPY on PostgreSQL.
SIZES = [1, 2, MANY_ROWS]


@pytest.mark.parametrize("count", SIZES)
def test_rows_come_back_as_they_were_given(session, count):
    person = make_service_user(session)
    rows = [record(person.id, outcome="applied", rev=2, seq=n, errors=None) for n in range(count)]
    rows[0] = record(person.id, seq=0)  # a rejection: JSON errors, null rev

    insert_rows(session.connection(), RECORDS, rows)

    stored = session.execute(
        sa.select(RECORDS).where(RECORDS.c.user_id == person.id).order_by(RECORDS.c.seq)
    ).all()
    assert [row._asdict() for row in stored] == rows


@pytest.mark.parametrize("count", SIZES)
def test_a_refused_row_raises_integrity_error_and_stores_nothing(session, count):
    person = make_service_user(session)
    taken = record(person.id)
    insert_rows(session.connection(), RECORDS, [taken])

    with pytest.raises(IntegrityError), session.begin_nested():
        insert_rows(
            session.connection(), RECORDS, [*(record(person.id) for _ in range(count - 1)), taken]
        )

    count_stored = session.scalar(sa.select(sa.func.count()).select_from(RECORDS))
    assert count_stored == 1


def test_a_column_with_a_python_default_must_be_given(session):
    row = {"name": "Riverside", "created_at": datetime.now(UTC)}  # no id: its default is Python's
    with pytest.raises(ValueError, match="id"):
        insert_rows(session.connection(), Service.__table__, [row])


def test_stored_values_are_what_a_sqlalchemy_insert_stores(session):
    person = make_service_user(session)
    ours = [record(person.id, seq=n) for n in range(MANY_ROWS)]
    theirs = [{**row, "change_id": uuid.uuid4()} for row in ours]

    insert_rows(session.connection(), RECORDS, ours)
    session.execute(RECORDS.insert(), theirs)

    def raw(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
        # Driver values, no SQLAlchemy type processing: the stored form itself.
        ids = ", ".join(f"'{row['change_id'].hex}'" for row in rows)  # type: ignore[union-attr]
        if session.get_bind().dialect.name == "postgresql":
            ids = ", ".join(f"'{row['change_id']}'" for row in rows)
        found = session.connection().exec_driver_sql(
            "SELECT user_id, device_id, payload_hash, outcome, rev, seq, errors, created_at"
            f" FROM sync_changes WHERE change_id IN ({ids}) ORDER BY seq"
        )
        return [tuple(row) for row in found]

    assert raw(ours) == raw(theirs)


def test_repeated_and_alternating_ids_and_times_are_each_stored_as_given(session):
    """Conversions remembered across rows (the same owner, device and clock) never mix rows up."""
    person = make_service_user(session)
    devices = [uuid.uuid4(), uuid.uuid4()]
    moments = [
        datetime(2026, 11, 20, 9, 15, tzinfo=UTC),
        datetime(2026, 11, 20, 4, 15, tzinfo=timezone(timedelta(hours=-5))),  # the same instant
        datetime(2026, 11, 21, 9, 15, 0, 1, tzinfo=UTC),
    ]
    rows = [
        record(person.id, seq=n, device_id=devices[n % 2], created_at=moments[n % 3])
        for n in range(MANY_ROWS * 2)
    ]

    insert_rows(session.connection(), RECORDS, rows)

    stored = session.execute(
        sa.select(RECORDS.c.device_id, RECORDS.c.created_at)
        .where(RECORDS.c.user_id == person.id)
        .order_by(RECORDS.c.seq)
    ).all()
    assert [(row.device_id, row.created_at) for row in stored] == [
        (row["device_id"], row["created_at"]) for row in rows
    ]
    assert all(row.created_at.utcoffset() == timedelta(0) for row in stored)


@pytest.mark.parametrize("names", [["outcome"], ["outcome", "rev", "seq"]])
def test_a_rows_values_come_in_the_order_of_the_names(names):
    row = {"seq": 3, "outcome": "applied", "rev": 2}
    assert list(_picker(names)(row)) == [row[name] for name in names]
