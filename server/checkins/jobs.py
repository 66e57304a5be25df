"""Housekeeping for sync: tombstones and change records past their retention (DESIGN.md §8)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.checkins.models import Checkin, CheckinFeed, PurgedCheckin, SyncChange
from server.database import UTCDateTime


def purge_tombstones(session: Session, *, now: datetime, retention: timedelta) -> dict[str, int]:
    """Delete tombstones and change records older than ``retention``; the caller commits.

    Each person's ``purged_below_seq`` moves past their purged tombstones in the same
    transaction, so a client whose cursor is older gets ``reset`` and re-downloads rather
    than keep a check-in that was deleted elsewhere. A purged tombstone's id is kept in
    ``purged_checkins``, so any later change to it, a replay included, is a conflict with
    ``current`` null instead of bringing the check-in back. A change replayed after its
    record is purged is otherwise decided afresh, which is why the retention is months.
    """
    cutoff = now - retention
    old_tombstone = sa.and_(Checkin.deleted.is_(True), Checkin.received_at < cutoff)
    horizons = session.execute(
        sa.select(Checkin.user_id, sa.func.max(Checkin.seq).label("top"))
        .where(old_tombstone)
        .group_by(Checkin.user_id)
    ).all()
    purged = 0
    if horizons:
        # A tombstone is final (every later change to it is a conflict), so the rows
        # selected above are exactly the rows remembered and deleted here.
        session.execute(
            sa.insert(PurgedCheckin).from_select(
                ["id", "user_id", "purged_at"],
                sa.select(Checkin.id, Checkin.user_id, sa.literal(now, UTCDateTime())).where(
                    old_tombstone
                ),
            )
        )
        result = session.execute(sa.delete(Checkin).where(old_tombstone))
        purged = int(result.rowcount or 0)  # type: ignore[attr-defined]
        feeds = cast(sa.Table, CheckinFeed.__table__)
        below: sa.BindParameter[int] = sa.bindparam("below")
        session.execute(
            sa.update(feeds)
            .where(feeds.c.user_id == sa.bindparam("owner"))
            .values(
                purged_below_seq=sa.case(
                    (feeds.c.purged_below_seq < below, below), else_=feeds.c.purged_below_seq
                )
            ),
            [{"owner": row.user_id, "below": int(row.top) + 1} for row in horizons],
        )
    records = session.execute(sa.delete(SyncChange).where(SyncChange.created_at < cutoff))
    return {
        "tombstones": purged,
        "feeds": len(horizons),
        "sync_changes": int(records.rowcount or 0),  # type: ignore[attr-defined]
    }
