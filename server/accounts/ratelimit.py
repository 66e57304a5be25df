"""Fixed-window counters in the database, so every worker process shares one limit."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.accounts.models import RateLimitCounter
from server.crypto import hash_secret
from server.database import UTCDateTime

_counters = cast(sa.Table, RateLimitCounter.__table__)


def counter_key(kind: str, value: str) -> str:
    """A counter key that holds a hash, never the username or address itself."""
    return f"{kind}:{hash_secret(value)}"


def _window(session: Session, key: str) -> tuple[datetime, int] | None:
    row = session.execute(
        sa.select(_counters.c.window_started_at, _counters.c["count"]).where(_counters.c.key == key)
    ).first()
    return (row[0], row[1]) if row else None


def current_count(session: Session, key: str, *, window: timedelta, now: datetime) -> int:
    """How many hits ``key`` has in the window that contains ``now``."""
    found = _window(session, key)
    if found is None or now - found[0] >= window:
        return 0
    return found[1]


def seconds_until_reset(session: Session, key: str, *, window: timedelta, now: datetime) -> int:
    """Seconds until the window of ``key`` ends (at least 1)."""
    found = _window(session, key)
    if found is None:
        return 1
    return max(1, int((found[0] + window - now).total_seconds()) + 1)


def record_hit(session: Session, key: str, *, window: timedelta, now: datetime) -> None:
    """Count one hit, starting a new window when the old one has passed (one upsert, race-free)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_counters)
    now_value = sa.literal(now, UTCDateTime())
    expired = _counters.c.window_started_at <= sa.literal(now - window, UTCDateTime())
    statement = insert.values(key=key, window_started_at=now, count=1).on_conflict_do_update(
        index_elements=[_counters.c.key],
        set_={
            "count": sa.case((expired, 1), else_=_counters.c["count"] + 1),
            "window_started_at": sa.case((expired, now_value), else_=_counters.c.window_started_at),
        },
    )
    session.execute(statement)


def clear(session: Session, key: str) -> None:
    """Forget a counter (a successful login clears that username's failures)."""
    session.execute(sa.delete(_counters).where(_counters.c.key == key))
