"""Pulling changes: a person's own check-ins after an opaque cursor, in seq order (PROTOCOL.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server import crypto
from server.accounts.actor import Actor
from server.checkins.access import require_service_user
from server.checkins.models import Checkin, CheckinFeed
from server.checkins.versions import CONTENT_CONTEXT, SCORES_CONTEXT, VERSION_COLUMNS, Version
from server.errors import InvalidInput
from server.sealing import session_keys
from sync.cursor import CursorError, decode_cursor, encode_cursor
from sync.protocol import PULL_LIMIT_DEFAULT, PULL_LIMIT_MAX

UNREADABLE_CURSOR = "This cursor cannot be read. Pull again without a cursor to start afresh."


def feed_position(session: Session, user_id: uuid.UUID) -> tuple[int, int, int]:
    """The person's (last_seq, purged_below_seq, live_count); zeros before the first push."""
    row = (
        session.connection()
        .execute(
            sa.select(
                CheckinFeed.last_seq, CheckinFeed.purged_below_seq, CheckinFeed.live_count
            ).where(CheckinFeed.user_id == user_id)
        )
        .first()
    )
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


@dataclass(frozen=True)
class _Page:
    rows: Sequence[Any]
    cursor: str
    more: bool
    live_count: int
    reset: bool


def _read_page(
    session: Session,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int,
    columns: Sequence[Any],
) -> _Page:
    """Rows (``columns``, the last being ``seq``) of the actor's feed after ``cursor``."""
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
    # Core rows, not ORM results: nothing here becomes an ORM object.
    connection = session.connection()

    def page(after: int) -> Sequence[Any]:
        return connection.execute(
            sa.select(*columns)
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
    rows = rows[: limit + 1]
    more = len(rows) > limit
    rows = rows[:limit]
    return _Page(
        rows=rows,
        cursor=encode_cursor(rows[-1].seq if rows else after),
        more=more,
        live_count=live_count,
        reset=reset,
    )


def pull_page(session: Session, *, actor: Actor, cursor: str | None, limit: int) -> PullPage:
    """The actor's check-ins changed after ``cursor``, at most ``limit``, in seq order."""
    found = _read_page(session, actor=actor, cursor=cursor, limit=limit, columns=VERSION_COLUMNS)
    return PullPage(
        versions=[Version.from_row(row) for row in found.rows],
        cursor=found.cursor,
        more=found.more,
        live_count=found.live_count,
        reset=found.reset,
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


_RAW = sa.types.NullType()
# What a pulled change shows, in the order _pulled_json reads them; seq last (see _read_page).
# Ids and times come as raw driver values: no per-value type processing (see _iso, _hyphened).
_PULL_COLUMNS = (
    sa.type_coerce(Checkin.id, _RAW).label("id"),
    sa.type_coerce(Checkin.device_id, _RAW).label("device_id"),
    Checkin.rev,
    sa.type_coerce(Checkin.recorded_at, _RAW).label("recorded_at"),
    sa.type_coerce(Checkin.changed_at, _RAW).label("changed_at"),
    sa.type_coerce(Checkin.received_at, _RAW).label("received_at"),
    Checkin.clock_skew,
    Checkin.shared,
    Checkin.deleted,
    Checkin.content_sealed,
    Checkin.scores_sealed,
    Checkin.seq,
)


def pull_changes_json(
    session: Session,
    *,
    actor: Actor,
    cursor: str | None,
    limit: int = PULL_LIMIT_DEFAULT,
    instruments_etag: str,
) -> str:
    """``pull_changes`` as JSON text, the route's path: the sealed content and scores are
    compact JSON already, so they are opened and spliced in, never parsed and re-encoded."""
    found = _read_page(session, actor=actor, cursor=cursor, limit=limit, columns=_PULL_COLUMNS)
    user_id = actor.user_id
    live = any(row.content_sealed is not None for row in found.rows)
    key = session_keys(session).key_for(user_id) if live else None
    changes = ",".join(_pulled_json(row, key, user_id) for row in found.rows)
    rest = json.dumps(_bookkeeping(found, instruments_etag), separators=(",", ":"))
    return f'{{"changes":[{changes}],{rest[1:]}'


def _pulled_json(row: Any, key: crypto.DataKey | None, user_id: uuid.UUID) -> str:
    """One raw row as the JSON text of Version.pulled() (a unit test holds the two together)."""
    (raw_id, raw_device, rev, recorded, changed, received, skew, shared, deleted, content,
     scores, seq) = row  # fmt: skip
    recorded_at = _iso(recorded)
    data = scores_json = "null"
    if not deleted and content is not None and key is not None:
        row_id = raw_id if isinstance(raw_id, uuid.UUID) else uuid.UUID(hex=raw_id)
        opened = key.open(content, CONTENT_CONTEXT, row_id, user_id).decode("utf-8")
        flag = "true" if shared else "false"
        data = f'{{"recorded_at":"{recorded_at}","shared":{flag},{opened[1:]}'
        if scores is not None:
            scores_json = key.open(scores, SCORES_CONTEXT, row_id, user_id).decode("utf-8")
    return (
        f'{{"id":"{_hyphened(raw_id)}","rev":{rev},"seq":{seq},'
        f'"deleted":{"true" if deleted else "false"},'
        f'"recorded_at":"{recorded_at}",'
        f'"changed_at":"{_iso(changed)}",'
        f'"received_at":"{_iso(received)}",'
        f'"clock_skew":{"true" if skew else "false"},'
        f'"device_id":"{_hyphened(raw_device)}","data":{data},"scores":{scores_json}}}'
    )


def _hyphened(raw: Any) -> str:
    """str(uuid) of a raw id: PostgreSQL's driver gives a UUID, SQLite 32 lower-case hex digits."""
    if isinstance(raw, uuid.UUID):
        return str(raw)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _iso(raw: Any) -> str:
    """datetime.isoformat() of a raw UTC time (server.database.UTCDateTime's storage).

    PostgreSQL's driver gives an aware datetime. SQLite keeps naive UTC text,
    ``2026-11-20 09:15:00.000120``, which becomes ``2026-11-20T09:15:00.000120+00:00``,
    the microseconds left out when they are zero, exactly as isoformat writes it.
    """
    if isinstance(raw, datetime):
        return raw.astimezone(UTC).isoformat()
    if len(raw) == 26 and raw[10] == " " and raw[19] == ".":
        fraction = raw[19:] if raw[20:] != "000000" else ""
        return f"{raw[:10]}T{raw[11:19]}{fraction}+00:00"
    # Any other stored form: let the parser decide (never expected in practice).
    return datetime.fromisoformat(raw).replace(tzinfo=UTC).isoformat()


def _bookkeeping(found: PullPage | _Page, instruments_etag: str) -> dict[str, Any]:
    return {
        "cursor": found.cursor,
        "more": found.more,
        "live_count": found.live_count,
        "reset": found.reset,
        "instruments_etag": instruments_etag,
    }
