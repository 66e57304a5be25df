"""One instance of a job at a time across processes (DESIGN.md §8).

PostgreSQL: a session-level advisory lock held on a dedicated connection; it goes away
with the connection, so a crashed process never leaves it behind. SQLite: a lease row
renewed by a heartbeat thread; a crashed holder's lease simply expires.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from server.scheduler.models import JobLease

LEASE = timedelta(seconds=60)
HEARTBEAT_SECONDS = 15.0
_leases = cast(sa.Table, JobLease.__table__)


def advisory_key(job: str, schema: str) -> int:
    """A stable signed 64-bit key for ``job`` in this database schema."""
    digest = hashlib.sha256(f"alongside:{schema}:{job}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def _postgresql_lock(engine: sa.Engine, job: str) -> Iterator[bool]:
    with engine.connect() as connection:
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
        key = advisory_key(job, schema)
        acquired = connection.execute(
            sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
        ).scalar_one()
        connection.commit()
        try:
            yield bool(acquired)
        finally:
            if acquired:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()


def _take_lease(engine: sa.Engine, job: str, holder: str, now: datetime) -> bool:
    """Insert or take over an expired lease; true when ``holder`` now holds it."""
    statement = (
        sqlite.insert(_leases)
        .values(job=job, holder=holder, expires_at=now + LEASE)
        .on_conflict_do_update(
            index_elements=[_leases.c.job],
            set_={"holder": holder, "expires_at": now + LEASE},
            where=(_leases.c.expires_at <= now) | (_leases.c.holder == holder),
        )
    )
    with engine.begin() as connection:
        connection.execute(statement)
        found = connection.execute(
            sa.select(_leases.c.holder).where(_leases.c.job == job)
        ).scalar_one()
    return bool(found == holder)


def _release_lease(engine: sa.Engine, job: str, holder: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            sa.delete(_leases).where(_leases.c.job == job, _leases.c.holder == holder)
        )


@contextmanager
def _sqlite_lock(
    engine: sa.Engine, job: str, holder: str, clock: Callable[[], datetime]
) -> Iterator[bool]:
    if not _take_lease(engine, job, holder, clock()):
        yield False
        return
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            _take_lease(engine, job, holder, clock())

    beating = threading.Thread(target=heartbeat, name=f"lease:{job}", daemon=True)
    beating.start()
    try:
        yield True
    finally:
        stop.set()
        beating.join()
        _release_lease(engine, job, holder)


def job_lock(
    engine: sa.Engine, job: str, *, holder: str, clock: Callable[[], datetime]
) -> AbstractContextManager[bool]:
    """Try to take ``job``'s lock without waiting; the context value says whether it was taken."""
    if engine.dialect.name == "postgresql":
        return _postgresql_lock(engine, job)
    return _sqlite_lock(engine, job, holder, clock)
