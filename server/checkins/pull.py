"""Pulling changes: a person's own check-ins after an opaque cursor, in seq order (PROTOCOL.md)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from psycopg.rows import namedtuple_row
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from server import crypto
from server.accounts.actor import Actor
from server.checkins.access import require_service_user
from server.checkins.models import Checkin, CheckinFeed
from server.checkins.versions import (
    CONTENT_CONTEXT,
    PULLED_CONTEXT,
    SCORES_CONTEXT,
    render_pulled,
)
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
    fetch: Callable[[Connection, sa.Select[Any]], Sequence[Any]] | None = None,
) -> _Page:
    """Rows (``columns``, one named ``seq``) of the actor's feed after ``cursor``, read with
    ``fetch`` (by default through SQLAlchemy)."""
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
        statement = (
            sa.select(*columns)
            .where(Checkin.user_id == user_id, Checkin.seq > after)
            .order_by(Checkin.seq)
            .limit(limit + 1)
        )
        if fetch is not None:
            return fetch(connection, statement)
        return connection.execute(statement).all()

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


_RAW = sa.types.NullType()
# What pull reads per change: the stored rendering (Checkin.pulled_sealed) and what opening
# it needs. The id comes raw (see _row_id); seq last (see _read_page).
_RENDERED_COLUMNS = (
    sa.type_coerce(Checkin.id, _RAW).label("id"),
    Checkin.pulled_sealed,
    Checkin.seq,
)
# What a pulled change shows, in the order _pulled_json reads them; seq last (see _read_page).
# Ids and times come as raw driver values: no per-value type processing (see _row_id, _utc).
# Only rows written before migration 0008 (pulled_sealed NULL) are still read this way.
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
) -> bytes:
    """The pull response (PROTOCOL.md) as JSON for the actor's changes after ``cursor``: each
    change's JSON was rendered and sealed when it was written (versions.seal_version), so it
    is opened and joined, never re-encoded."""
    user_id = actor.user_id
    binary = session.get_bind().dialect.name == "postgresql"
    legacy: dict[int, bytes] = {}

    def fetch(connection: Connection, statement: sa.Select[Any]) -> Sequence[Any]:
        if binary:
            rows = _fetch_binary(connection, statement)
        else:
            rows = connection.execute(statement).all()
        # With the page, before _read_page reads the feed row: a purge that removes one of
        # these rows meanwhile is then seen there, and the cursor resets.
        legacy.clear()
        legacy.update(_legacy_changes(session, rows, user_id))
        return rows

    found = _read_page(
        session, actor=actor, cursor=cursor, limit=limit, columns=_RENDERED_COLUMNS, fetch=fetch
    )
    # Only when needed: rows written without push (tests, imports) may have no data key.
    any_sealed = any(row.pulled_sealed is not None for row in found.rows)
    key = session_keys(session).key_for(user_id) if any_sealed else None
    changes = []
    for raw_id, sealed, seq in found.rows:
        if sealed is None:
            from_columns = legacy.get(seq)
            if from_columns is not None:  # None: a push moved it since (see _legacy_changes)
                changes.append(from_columns)
        else:
            assert key is not None
            changes.append(key.open(sealed, PULLED_CONTEXT, _row_id(raw_id), user_id))
    rest = orjson.dumps(_bookkeeping(found, instruments_etag))
    return b'{"changes":[' + b",".join(changes) + b"]," + rest[1:]


def _fetch_binary(connection: Connection, statement: sa.Select[Any]) -> Sequence[Any]:
    """The page's rows from PostgreSQL in binary result format, straight from psycopg.

    In text format each ``pulled_sealed`` (about 1 KB) comes as hex, twice its size, and is
    decoded row by row; in binary it arrives as is. Measured on pages of 1,000, this read
    takes about 5.5 µs less per change (9.3 instead of 14.9 µs on an analyzed table).
    SQLAlchemy has no switch for it, so this one statement goes to the driver directly, on
    the same connection and transaction, and skips SQLAlchemy's execution events. Nothing
    else is lost: the parameters (a UUID, integers) and the columns (raw id, bytes, integer)
    need no conversion by SQLAlchemy's types.
    """
    compiled = statement.compile(dialect=connection.dialect)
    driver = connection.connection.driver_connection
    assert driver is not None  # a connection in use always has its driver's connection
    with driver.cursor(binary=True, row_factory=namedtuple_row) as cursor:
        cursor.execute(str(compiled), compiled.params)
        return cursor.fetchall()


def _legacy_changes(session: Session, rows: Sequence[Any], user_id: uuid.UUID) -> dict[int, bytes]:
    """The JSON of the page's rows written before migration 0008, by seq, from their columns.

    A second query, for those rows only (none when every row has its rendering): the
    page's seq range, so it is an index range like the page's own. On PostgreSQL it may see
    a push or purge committed since the page was read. A row a push moved is left out here
    and comes in a later page at its new seq; a tombstone a purge removed is left out too,
    and the feed row, read after this, resets the cursor (see _read_page).
    """
    seqs = [seq for _id, sealed, seq in rows if sealed is None]
    if not seqs:
        return {}
    found = (
        session.connection()
        .execute(
            sa.select(*_PULL_COLUMNS).where(
                Checkin.user_id == user_id,
                Checkin.seq.between(seqs[0], seqs[-1]),
                Checkin.pulled_sealed.is_(None),
            )
        )
        .all()
    )
    live = any(row.content_sealed is not None for row in found)
    key = session_keys(session).key_for(user_id) if live else None
    return {row.seq: _pulled_json(row, key, user_id) for row in found}


def _row_id(raw: Any) -> uuid.UUID:
    """A raw id as a UUID: PostgreSQL's driver gives one, SQLite 32 lower-case hex digits."""
    # int= skips the hex form's parsing: half the time on a hot path (a malformed id still
    # fails, as its ciphertext does not open under it).
    return raw if isinstance(raw, uuid.UUID) else uuid.UUID(int=int(raw, 16))


def _pulled_json(row: Any, key: crypto.DataKey | None, user_id: uuid.UUID) -> bytes:
    """One raw row as the JSON of Version.pulled(), from its columns (rows before 0008)."""
    (raw_id, raw_device, rev, recorded, changed, received, skew, shared, deleted, content,
     scores, seq) = row  # fmt: skip
    content_json = scores_json = None
    if not deleted and content is not None and key is not None:
        row_id = _row_id(raw_id)
        content_json = key.open(content, CONTENT_CONTEXT, row_id, user_id)
        if scores is not None:
            scores_json = key.open(scores, SCORES_CONTEXT, row_id, user_id)
    return render_pulled(
        checkin_id=_row_id(raw_id),
        rev=rev,
        seq=seq,
        deleted=deleted,
        recorded_at=_utc(recorded),
        changed_at=_utc(changed),
        received_at=_utc(received),
        clock_skew=skew,
        device_id=_row_id(raw_device),
        shared=shared,
        content_json=content_json,
        scores_json=scores_json,
    )


def _utc(raw: Any) -> datetime:
    """A raw time (server.database.UTCDateTime's storage) as an aware UTC datetime.

    PostgreSQL's driver gives an aware datetime in the connection's zone; SQLite keeps
    naive UTC text, ``2026-11-20 09:15:00.000120``.
    """
    if isinstance(raw, datetime):
        return raw.astimezone(UTC)
    return datetime.fromisoformat(raw).replace(tzinfo=UTC)


def _bookkeeping(found: _Page, instruments_etag: str) -> dict[str, Any]:
    return {
        "cursor": found.cursor,
        "more": found.more,
        "live_count": found.live_count,
        "reset": found.reset,
        "instruments_etag": instruments_etag,
    }
