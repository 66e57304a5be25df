"""Housekeeping for accounts: ended sessions, spent invites, stale rate-limit counters."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.models import DeviceSession, Invite, RateLimitCounter

# Kept a little while after they end, so "signed out" and "expired" can still be told apart.
ENDED_SESSION_RETENTION = timedelta(days=7)
SPENT_INVITE_RETENTION = timedelta(days=30)


def purge_ended_sessions(session: Session, *, now: datetime) -> int:
    """Delete device sessions that expired or were revoked more than a week ago."""
    cutoff = now - ENDED_SESSION_RETENTION
    result = session.execute(
        sa.delete(DeviceSession).where(
            (DeviceSession.expires_at < cutoff) | (DeviceSession.revoked_at < cutoff)
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_spent_invites(session: Session, *, now: datetime) -> int:
    """Delete invites used or expired more than 30 days ago (their codes are long dead)."""
    cutoff = now - SPENT_INVITE_RETENTION
    result = session.execute(
        sa.delete(Invite).where((Invite.expires_at < cutoff) | (Invite.used_at < cutoff))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def purge_rate_limit_counters(session: Session, *, now: datetime, window: timedelta) -> int:
    """Delete counters whose window has passed."""
    result = session.execute(
        sa.delete(RateLimitCounter).where(RateLimitCounter.window_started_at < now - window)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
