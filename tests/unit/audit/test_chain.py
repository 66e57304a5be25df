"""The audit log is hash-chained, append-only, and its verifier names the first broken row."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from server.audit import service as audit
from server.audit.models import AuditEvent
from server.clock import utcnow

ACTOR = audit.AuditActor(id=uuid.uuid4(), role="admin")


def write_events(session, count):
    start = utcnow()
    for i in range(count):
        audit.record(
            session,
            actor=ACTOR,
            action="test.event",
            subject_id=uuid.uuid4(),
            details={"n": i},
            now=start + timedelta(seconds=i),
        )


def allow_tampering(session, backend):
    """Switch off the append-only triggers inside this test's transaction only."""
    if backend == "postgresql":
        session.execute(sa.text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
    else:
        session.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        session.execute(sa.text("DROP TRIGGER audit_log_no_delete"))


def test_each_row_links_to_the_previous_one(session):
    write_events(session, 3)
    rows = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert [row.seq for row in rows] == [1, 2, 3]
    assert rows[0].prev_hash == audit.GENESIS_HASH
    assert rows[1].prev_hash == rows[0].row_hash
    assert rows[2].prev_hash == rows[1].row_hash
    assert audit.verify_chain(session).intact


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_change_or_delete_audit_rows(session, statement):
    write_events(session, 1)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(sa.text(statement))


def test_an_edited_row_is_reported_by_its_number(session, backend):
    write_events(session, 5)
    allow_tampering(session, backend)
    session.execute(sa.text("UPDATE audit_log SET action = 'covered.up' WHERE seq = 3"))
    session.expire_all()

    report = audit.verify_chain(session, batch=2)

    assert report.first_broken_seq == 3
    assert report.reason == "row content does not match its hash"


def test_a_removed_row_is_reported(session, backend):
    write_events(session, 4)
    allow_tampering(session, backend)
    session.execute(sa.text("DELETE FROM audit_log WHERE seq = 2"))
    assert audit.verify_chain(session).first_broken_seq == 2


def test_rows_removed_from_the_end_are_reported(session, backend):
    write_events(session, 4)
    allow_tampering(session, backend)
    session.execute(sa.text("DELETE FROM audit_log WHERE seq = 4"))
    report = audit.verify_chain(session)
    assert report.first_broken_seq == 4
    assert report.reason == "rows after this point were removed"


def test_audit_verify_command(runner, session, backend):
    write_events(session, 2)
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "2 rows verified" in result.output

    allow_tampering(session, backend)
    session.execute(sa.text("UPDATE audit_log SET details = '{}' WHERE seq = 1"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at row 1" in result.output
