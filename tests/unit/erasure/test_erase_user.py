"""Erasing a person: their key destroyed, their rows gone, an audit record with nothing of them."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from server import crypto
from server.accounts import service as accounts
from server.accounts.actor import Actor
from server.accounts.models import Consent, DeviceSession, PeerLink, Role, User
from server.audit.models import AuditEvent
from server.audit.service import SYSTEM
from server.checkins.models import CheckinFeed
from server.clock import utcnow
from server.erasure import service
from server.erasure.service import ERASED_ACTION
from server.errors import Conflict
from server.keys.models import KeyRetirementDue, UserKey
from server.sealing import session_keys
from tests.support.factories import make_service_user, make_user


@pytest.fixture
def sam(session):
    person = make_service_user(session, username="sam-erase")
    person.display_name = "Sam Marker-4417"
    session.add(
        DeviceSession(
            user_id=person.id,
            token_hash=crypto.hash_secret("sam's phone"),
            created_at=person.created_at,
            last_used_at=person.created_at,
            expires_at=person.created_at,
        )
    )
    accounts.set_research_consent(
        session,
        actor=accounts_actor(person),
        granted=True,
        version="2026-11",
        now=utcnow(),
    )
    session.flush()
    return person


def accounts_actor(person):
    return Actor(user_id=person.id, role=Role(person.role), service_id=person.service_id)


def count(session, model, **where):
    query = sa.select(sa.func.count()).select_from(model)
    for column, value in where.items():
        query = query.where(getattr(model, column) == value)
    return session.scalar(query)


def test_erasure_destroys_the_key_and_every_row_and_reports_counts(session, sam):
    sam_id = sam.id
    report = service.erase_user(session, user_id=sam_id, by=SYSTEM, now=utcnow())

    assert report.data_key_destroyed
    assert report.rows == {
        "consents": 1,
        "peer_links": 1,
        "sessions": 1,
        "user_keys": 1,
        "users": 1,
    }
    assert count(session, UserKey, user_id=sam_id) == 0
    assert count(session, User, id=sam_id) == 0
    assert count(session, DeviceSession, user_id=sam_id) == 0
    assert count(session, PeerLink, service_user_id=sam_id) == 0
    assert count(session, Consent, user_id=sam_id) == 0
    with pytest.raises(crypto.UnreadableError):
        session_keys(session).key_for(sam_id)


def test_the_audit_record_names_neither_the_person_nor_their_id(session, sam):
    sam_id = sam.id
    report = service.erase_user(session, user_id=sam_id, by=SYSTEM, now=utcnow())
    event = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == ERASED_ACTION)).one()
    assert event.subject_id is None
    assert event.actor_id is None
    text = json.dumps(event.details)
    assert "sam" not in text.lower()
    assert str(sam_id) not in text
    assert event.details["erasure_id"] == str(report.erasure_id)
    assert event.details["rows"]["users"] == 1


def test_the_key_version_that_wrapped_the_erased_key_is_due_for_retirement(session, sam):
    service.erase_user(session, user_id=sam.id, by=SYSTEM, now=utcnow())
    assert [row.kek_version for row in session.scalars(sa.select(KeyRetirementDue))] == [1]


def test_tables_other_features_add_are_found_from_their_foreign_keys(session, sam):
    # checkin_feeds belongs to the check-ins feature; erasure knows it only by its foreign key.
    session.add(CheckinFeed(user_id=sam.id, last_seq=3, purged_below_seq=0, live_count=3))
    session.flush()
    report = service.erase_user(session, user_id=sam.id, by=SYSTEM, now=utcnow())
    assert report.rows["checkin_feeds"] == 1
    assert count(session, CheckinFeed, user_id=sam.id) == 0


def test_erasing_a_peer_worker_leaves_their_service_users_and_others_untouched(session):
    peer = make_user(session, Role.PEER_WORKER)
    kept = make_service_user(session, peer_worker=peer)
    kept.display_name = "Kept"
    session.flush()
    kept_id = kept.id
    report = service.erase_user(session, user_id=peer.id, by=SYSTEM, now=utcnow())
    assert report.rows["peer_links"] == 1
    session.expunge_all()
    session.info.clear()
    assert session.get(User, kept_id).display_name == "Kept"


def test_erase_user_command_asks_first_and_reports(runner, session, sam):
    sam_id = sam.id
    declined = runner.invoke(args=["erase-user", "SAM-erase"], input="n\n")
    assert declined.exit_code != 0
    assert count(session, User, id=sam_id) == 1

    result = runner.invoke(args=["erase-user", "sam-erase", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Data key destroyed" in result.output
    assert "users: 1 row(s) deleted" in result.output
    assert "peer_links: 1 row(s) deleted" in result.output
    assert count(session, User, id=sam_id) == 0

    again = runner.invoke(args=["erase-user", "sam-erase", "--yes"])
    assert again.exit_code != 0
    assert "No account has that username" in again.output


def test_a_table_that_refers_to_users_without_cascading_stops_erasure_cleanly(session, sam):
    sam_id = sam.id
    column_type = "UUID" if session.connection().dialect.name == "postgresql" else "CHAR(32)"
    session.execute(
        sa.text(f"CREATE TABLE erasure_blocker (user_id {column_type} REFERENCES users (id))")
    )
    blocker = sa.table("erasure_blocker", sa.column("user_id", sa.Uuid()))
    session.execute(sa.insert(blocker).values(user_id=sam_id))

    with pytest.raises(Conflict, match="Nothing was erased"):
        service.erase_user(session, user_id=sam_id, by=SYSTEM, now=utcnow())

    assert count(session, User, id=sam_id) == 1
    assert count(session, UserKey, user_id=sam_id) == 1
    assert count(session, KeyRetirementDue) == 0
