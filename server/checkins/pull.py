"""Pulling changes: a person's own check-ins after an opaque cursor, in seq order (PROTOCOL.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.checkins.access import require_service_user
from server.checkins.models import Checkin, CheckinFeed
from server.checkins.versions import VERSION_COLUMNS, Version
from server.errors import InvalidInput
from server.sealing import session_keys
from sync.cursor import CursorError, decode_cursor, encode_cursor
from sync.protocol import PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX

UNREADABLE_CURSOR = "This cursor cannot be read. Pull again without a cursor to start afresh."


def feed_position(session: Session, user_id: uuid.UUID) -> tuple[int, int, int]:
    """The person's (last_seq, purged_below_seq, live_count); zeros before the first push."""
    row = session.execute(
        sa.select(CheckinFeed.last_seq, CheckinFeed.purged_below_seq, CheckinFeed.live_count).where(
            CheckinFeed.user_id == user_id
        )
    ).first()
    if row is None:
        return 0, 0, 0
    return int(row.last_seq), int(row.purged_below_seq), int(row.live_count)


def needs_reset(after: int, *, last_seq: int, purged_below_seq: int) -> bool:
    """Whether a cursor at ``after`` may have missed purged tombstones (or is not from this feed).

    Every purged tombstone had a seq below ``purged_below_seq``; a client that has seen up to
    ``purged_below_seq - 1`` saw them all. A cursor past the feed's end (a restored backup)
    starts again too.
    """
    if after == 0:
        return False
    return after + 1 < purged_below_seq or after > last_seq


@dataclass(frozen=True)
class PullPage:
    """One page of a person's feed: versions still sealed, and the page's bookkeeping."""

    versions: list[Version]
    cursor: str
    more: bool
    live_count: int
    reset: bool


def pull_page(session: Session, *, actor: Actor, cursor: str | None, limit: int) -> PullPage:
    """The actor's check-ins changed after ``cursor``, at most ``limit``, in seq order."""
    require_service_user(actor)
    if not 1 <= limit <= PULL_LIMIT_MAX:
        raise InvalidInput(
            "limit must be from 1 to 1000.", details={"limit": ["must be from 1 to 1000"]}
        )
    try:
        after = decode_cursor(cursor)
    except CursorError:
        raise InvalidInput(
            UNREADABLE_CURSOR, details={"cursor": ["not a cursor from this server"]}
        ) from None
    user_id = actor.user_id

    def page(after: int) -> Sequence[Any]:
        return session.execute(
            sa.select(*VERSION_COLUMNS)
            .where(Checkin.user_id == user_id, Checkin.seq > after)
            .order_by(Checkin.seq)
            .limit(limit + 1)
        ).all()

    # Rows first, then the feed: on PostgreSQL each statement sees what was committed when
    # it started, so a purge that removed a tombstone from this page is always visible in
    # the feed row read afterwards, and the cursor resets instead of passing it silently.
    rows = page(after)
    last_seq, purged_below_seq, live_count = feed_position(session, user_id)
    reset = needs_reset(after, last_seq=last_seq, purged_below_seq=purged_below_seq)
    if reset:
        after = 0
        rows = page(after)
    versions = [Version.from_row(row) for row in rows[:limit]]
    return PullPage(
        versions=versions,
        cursor=encode_cursor(versions[-1].seq if versions else after),
        more=len(rows) > limit,
        live_count=live_count,
        reset=reset,
    )


def pull_changes(
    session: Session,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int = PULL_LIMIT_DEFAULT,
    instruments_etag: str,
) -> dict[str, Any]:
    """The pull response (PROTOCOL.md) for the actor's changes after ``cursor``."""
    found = pull_page(session, actor=actor, cursor=cursor, limit=limit)
    keys = session_keys(session)
    return {
        "changes": [version.open(keys).pulled() for version in found.versions],
        **_bookkeeping(found, instruments_etag),
    }


def pull_changes_json(
    session: Session,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int = PULL_LIMIT_DEFAULT,
    instruments_etag: str,
) -> str:
    """``pull_changes`` as JSON text, built without parsing the sealed JSON (the route's path)."""
    found = pull_page(session, actor=actor, cursor=cursor, limit=limit)
    keys = session_keys(session)
    changes = ",".join(version.pulled_json(keys) for version in found.versions)
    rest = json.dumps(_bookkeeping(found, instruments_etag), separators=(",", ":"))
    return f'{{"changes":[{changes}],{rest[1:]}'


def _bookkeeping(found: PullPage, instruments_etag: str) -> dict[str, Any]:
    return {
        "cursor": found.cursor,
        "more": found.more,
        "live_count": found.live_count,
        "reset": found.reset,
        "instruments_etag": instruments_etag,
    }
