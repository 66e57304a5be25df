"""Housekeeping removes what has ended and keeps what is still in use."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from server import create_app
from server.accounts import jobs
from server.accounts.models import DeviceSession, Invite, RateLimitCounter, Role
from server.accounts.sessions import start_session
from server.clock import utcnow
from server.extensions import db
from tests.conftest import TEST_KEYS
from tests.support.factories import make_user


def test_ended_sessions_go_after_a_week_live_ones_stay(session):
    now = utcnow()
    user = make_user(session, Role.ADMIN, username="ada")
    live = start_session(session, user=user, device_label=None, ttl=timedelta(days=30), now=now)
    old = start_session(
        session, user=user, device_label=None, ttl=timedelta(days=1), now=now - timedelta(days=9)
    )
    recent = start_session(
        session, user=user, device_label=None, ttl=timedelta(days=1), now=now - timedelta(days=3)
    )

    assert jobs.purge_ended_sessions(session, now=now) == 1

    remaining = set(session.scalars(sa.select(DeviceSession.id)))
    assert remaining == {live.device_session.id, recent.device_session.id}
    assert old.device_session.id not in remaining


def test_spent_invites_and_stale_counters_go(session):
    now = utcnow()
    peer = make_user(session, Role.PEER_WORKER, username="pat")
    for code, expires in (
        ("a" * 64, now - timedelta(days=31)),
        ("b" * 64, now + timedelta(days=3)),
    ):
        session.add(
            Invite(code_hash=code, peer_worker_id=peer.id, created_at=now, expires_at=expires)
        )
    session.add(RateLimitCounter(key="old", window_started_at=now - timedelta(hours=1), count=3))
    session.add(RateLimitCounter(key="new", window_started_at=now, count=1))
    session.flush()

    assert jobs.purge_spent_invites(session, now=now) == 1
    assert jobs.purge_rate_limit_counters(session, now=now, window=timedelta(minutes=15)) == 1
    assert session.scalars(sa.select(Invite.code_hash)).all() == ["b" * 64]
    assert session.scalars(sa.select(RateLimitCounter.key)).all() == ["new"]


def test_aggregate_runs_every_job_once_with_progress(committed_database, tmp_path):
    app = create_app(
        {"DATABASE_URL": committed_database.url, "KEYS": TEST_KEYS, "TESTING": True},
        environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
    )
    try:
        result = app.test_cli_runner().invoke(args=["aggregate"])
        assert result.exit_code == 0, result.output
        assert "housekeeping" in result.output
        assert "done: sessions_purged 0" in result.output
        refused = app.test_cli_runner().invoke(args=["aggregate", "--job", "nope"])
        assert refused.exit_code != 0
        assert "unknown job(s): nope" in refused.output
    finally:
        with app.app_context():
            db.engine.dispose()
