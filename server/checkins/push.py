"""Pushing changes: the decision table applied to a batch, in one transaction (PROTOCOL.md).

One push is one transaction. The person's feed row is locked first (SELECT ... FOR UPDATE
on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers), so seqs are handed
out in commit order and a puller never skips a committed change (DESIGN.md §4).

Every change is decided in memory against the state loaded up front (one query for the
batch's change records, one for its check-ins), so a bad change writes nothing and the
rest still apply. The batch's rows are then written with a few bulk statements inside
one savepoint. Should the database still refuse them (another person's push took a
check-in id at the same moment), the savepoint is rolled back and the batch decided
again against what is now stored: each change stays atomic with its feed position and
its change record, and ``applied`` is only reported after the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.bulk_insert import insert_rows
from server.checkins.access import require_service_user
from server.checkins.content import instruments_label
from server.checkins.envelope import read_push_envelope
from server.checkins.models import Checkin, CheckinFeed, PurgedCheckin, SyncChange
from server.checkins.prepare import PreparedChange, prepare_changes
from server.checkins.versions import VERSION_COLUMNS, Version, sealed_row
from server.database import UTCDateTime
from server.instruments.registry import InstrumentRegistry
from server.sealing import SessionKeys, session_keys
from sync.rules import (
    Decision,
    Op,
    ServerState,
    Status,
    decide_change,
    effective_time,
    is_clock_skewed,
)

CHECKINS = cast(sa.Table, Checkin.__table__)
SYNC_CHANGES = cast(sa.Table, SyncChange.__table__)
CHANGE_ID_REUSED = {"change_id": ["already used for a different change"]}
ID_TAKEN = {"id": ["already used by another check-in: make a new id"]}
# Re-decide a batch this many times when the database refuses its rows (see module doc).
_ATTEMPTS = 3


@dataclass(frozen=True)
class PushOutcome:
    """One result per change, in request order, and the server time they were decided at."""

    results: list[dict[str, Any]]
    server_time: datetime

    def body(self) -> dict[str, Any]:
        """The push response as PROTOCOL.md shows it."""
        return {"results": self.results, "server_time": self.server_time.isoformat()}


def push_changes(
    session: Session,
    *,
    actor: Actor,
    body: object,
    registry: InstrumentRegistry,
    now: datetime,
) -> PushOutcome:
    """Apply a push request's changes for the actor (a service user); the caller commits."""
    require_service_user(actor)
    device_id, raw_changes = read_push_envelope(body)
    now = now.astimezone(UTC)
    user_id = actor.user_id
    # Everything that needs no database first (reading, checking, hashing, scoring), so
    # the feed lock, and SQLite's one write lock, are held only to decide and write.
    prepared = prepare_changes(raw_changes, registry)
    # The lock comes before the data key: it also serialises creating the person's key on
    # a first push from two devices at once.
    last_seq, live_count = _lock_feed(session, user_id)
    keys = session_keys(session)
    keys.key_for(user_id, create=True)
    session.flush()  # a new data key must outlive a rolled-back savepoint below
    records = _load_records(session, user_id, [change.change_id for change in prepared])
    checkin_ids = {change.checkin_id for change in prepared if change.checkin_id is not None}
    for attempt in range(_ATTEMPTS):
        batch = _Batch(user_id, device_id, now, last_seq, live_count, dict(records))
        batch.stored = _load_versions(session, checkin_ids)
        batch.purged = _load_purged(session, checkin_ids - batch.stored.keys())
        for change in prepared:
            batch.take(change)
        try:
            with session.begin_nested():
                batch.write(session, keys)
        except IntegrityError:
            if attempt == _ATTEMPTS - 1:
                raise
            continue
        return PushOutcome(batch.render(keys), now)
    raise AssertionError("unreachable")


# Every push runs the statements below, so they are built once: a single check-in's push
# is a dozen short statements, and building each anew (coercion, cache key) cost more
# than running it. Bound ids are typed: a foreign-key column's type is only filled in
# from the column it references later, so at import it cannot type the comparison.
_ID = sa.Uuid()
_LOCK_FEED = (
    sa.select(CheckinFeed.last_seq, CheckinFeed.live_count)
    .where(CheckinFeed.user_id == sa.bindparam("user_id", type_=_ID))
    .with_for_update()
)
_RECORD_COLUMNS = (
    SyncChange.change_id,
    SyncChange.payload_hash,
    SyncChange.outcome,
    SyncChange.rev,
    SyncChange.seq,
    SyncChange.errors,
)
_LOAD_RECORDS = sa.select(*_RECORD_COLUMNS).where(
    SyncChange.user_id == sa.bindparam("user_id", type_=_ID),
    SyncChange.change_id.in_(sa.bindparam("change_ids", expanding=True)),
)
# On PostgreSQL the ids go as one array, looked up one by one through the primary key. As
# "change_id = ANY(array)", a planner without statistics on sync_changes (a table loaded
# faster than autovacuum analyzes it) scanned all the person's records and compared each
# with every id: a 500-change push went from 19 to 75 ms as a person's records grew to
# 30,000. This form takes about 5 ms, with statistics or without.
_LOAD_RECORDS_PG = sa.select(*_RECORD_COLUMNS).where(
    SyncChange.user_id == sa.bindparam("user_id", type_=_ID),
    SyncChange.change_id.in_(
        sa.select(sa.func.unnest(sa.bindparam("change_ids", type_=postgresql.ARRAY(_ID))))
    ),
)
_LOAD_VERSIONS = sa.select(*VERSION_COLUMNS).where(
    Checkin.id.in_(sa.bindparam("checkin_ids", expanding=True))
)
# A new version rewrites the whole row (sealed_row gives every column). Bound names
# differ from column names, which SQLAlchemy reserves for SET.
_UPDATE_CHECKINS = (
    CHECKINS.update()
    .where(CHECKINS.c.id == sa.bindparam("v_id"))
    .where(CHECKINS.c.user_id == sa.bindparam("v_user_id", type_=_ID))
    .values(
        {
            column.key: sa.bindparam(f"v_{column.key}")
            for column in CHECKINS.columns
            if column.key not in ("id", "user_id")
        }
    )
)
_MOVE_FEED = (
    sa.update(CheckinFeed)
    .where(CheckinFeed.user_id == sa.bindparam("feed_user_id", type_=_ID))
    .values(
        last_seq=sa.bindparam("new_last_seq"),
        live_count=sa.bindparam("new_live_count"),
        # Due for a fresh summary (the earliest waiting time kept, so nobody is starved);
        # the feedback job picks it up within seconds and push never waits for it.
        summary_due_at=sa.func.coalesce(
            CheckinFeed.summary_due_at, sa.bindparam("due_at", type_=UTCDateTime())
        ),
    )
)


def _lock_feed(session: Session, user_id: uuid.UUID) -> tuple[int, int]:
    """Lock the person's feed row (creating it on the first push): (last_seq, live_count)."""
    row = session.connection().execute(_LOCK_FEED, {"user_id": user_id}).first()
    if row is None:
        dialect = session.get_bind().dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(CheckinFeed)
        session.connection().execute(
            insert.values(
                user_id=user_id, last_seq=0, purged_below_seq=0, live_count=0
            ).on_conflict_do_nothing(index_elements=["user_id"])
        )
        row = session.connection().execute(_LOCK_FEED, {"user_id": user_id}).one()
    return int(row.last_seq), int(row.live_count)


@dataclass
class _Record:
    payload_hash: str
    outcome: str
    rev: int | None
    seq: int | None
    errors: dict[str, list[str]] | None
    new: bool = False


def _load_records(
    session: Session, user_id: uuid.UUID, change_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, _Record]:
    if not change_ids:
        return {}
    connection = session.connection()
    statement = _LOAD_RECORDS_PG if connection.dialect.name == "postgresql" else _LOAD_RECORDS
    rows = connection.execute(statement, {"user_id": user_id, "change_ids": list(set(change_ids))})
    return {
        row.change_id: _Record(row.payload_hash, row.outcome, row.rev, row.seq, row.errors)
        for row in rows
    }


def _load_versions(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, Version]:
    """Every stored check-in the batch names, whoever owns it (ids are global)."""
    if not ids:
        return {}
    rows = session.connection().execute(_LOAD_VERSIONS, {"checkin_ids": list(ids)})
    return {row.id: Version.from_row(row) for row in rows}


_LOAD_PURGED = sa.select(PurgedCheckin.id, PurgedCheckin.user_id).where(
    PurgedCheckin.id.in_(sa.bindparam("checkin_ids", expanding=True))
)


def _load_purged(session: Session, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Owners of those of ``ids`` (none stored) whose tombstones were purged."""
    if not ids:
        return {}
    rows = session.connection().execute(_LOAD_PURGED, {"checkin_ids": list(ids)})
    return {row.id: row.user_id for row in rows}


@dataclass
class _Batch:
    """One push decided change by change in memory, then written in bulk."""

    user_id: uuid.UUID
    device_id: uuid.UUID
    now: datetime
    last_seq: int
    live_count: int
    records: dict[uuid.UUID, _Record]
    stored: dict[uuid.UUID, Version] = field(default_factory=dict)
    purged: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)  # id -> owner
    current: dict[uuid.UUID, Version] = field(default_factory=dict)
    written: dict[uuid.UUID, Version] = field(default_factory=dict)
    results: list[dict[str, Any]] = field(default_factory=list)
    feed_moved: bool = False

    def version_of(self, checkin_id: uuid.UUID) -> Version | None:
        return self.current.get(checkin_id) or self.stored.get(checkin_id)

    def take(self, prepared: PreparedChange) -> None:
        """Decide one change and queue its effects."""
        echo, change_id, digest = prepared.echo, prepared.change_id, prepared.digest
        record = self.records.get(change_id)
        if record is not None:
            if record.payload_hash != digest:
                self.results.append({**echo, "status": "rejected", "errors": CHANGE_ID_REUSED})
            else:
                self.results.append({**echo, **self._duplicate(record, prepared.checkin_id)})
            return
        change = prepared.change
        if change is None:
            self._finish(echo, change_id, digest, Decision(Status.REJECTED, errors=prepared.errors))
            return
        current = self.version_of(change["id"])
        owner = current.user_id if current is not None else self.purged.get(change["id"])
        if owner is not None and owner != self.user_id:
            self._finish(echo, change_id, digest, Decision(Status.REJECTED, errors=ID_TAKEN))
            return
        if prepared.errors:
            self._finish(echo, change_id, digest, Decision(Status.REJECTED, errors=prepared.errors))
            return
        if current is None and owner is not None:
            # Deleted, and its tombstone purged: still deleted, whatever the change says.
            self._finish(echo, change_id, digest, Decision(Status.CONFLICT), current=None)
            return
        state = None if current is None else ServerState(current.rev, current.deleted)
        decision = decide_change(state, op=Op(change["op"]), base_rev=change["base_rev"])
        if decision.status is Status.APPLIED:
            self._apply(change, decision, current, prepared.scores)
        self._finish(echo, change_id, digest, decision, current=current)

    def _duplicate(self, record: _Record, checkin_id: uuid.UUID | None) -> dict[str, Any]:
        result: dict[str, Any] = {"status": "duplicate", "outcome": record.outcome}
        if record.outcome == Status.APPLIED:
            result.update(rev=record.rev, seq=record.seq)
        elif record.outcome == Status.CONFLICT:
            # The same hash means the same (readable) id as the first time.
            assert checkin_id is not None
            result["current"] = self.version_of(checkin_id)
        else:
            result["errors"] = record.errors or {}
        return result

    def _finish(
        self,
        echo: dict[str, Any],
        change_id: uuid.UUID,
        digest: str,
        decision: Decision,
        *,
        current: Version | None = None,
    ) -> None:
        record = _Record(digest, decision.status.value, None, None, None, new=True)
        result: dict[str, Any] = {**echo, "status": decision.status.value}
        if decision.status is Status.APPLIED:
            record.rev, record.seq = decision.rev, self.last_seq
            result.update(rev=decision.rev, seq=self.last_seq)
        elif decision.status is Status.CONFLICT:
            result["current"] = current
        else:
            record.errors = decision.errors
            result["errors"] = decision.errors
        self.records[change_id] = record
        self.results.append(result)

    def _apply(
        self,
        change: Mapping[str, Any],
        decision: Decision,
        current: Version | None,
        scores: dict[str, Any] | None,
    ) -> None:
        assert decision.rev is not None
        self.last_seq += 1
        self.feed_moved = True
        changed_at: datetime = change["changed_at"].astimezone(UTC)
        skewed = is_clock_skewed(changed_at, self.now)
        common = {
            "id": change["id"],
            "user_id": self.user_id,
            "device_id": self.device_id,
            "rev": decision.rev,
            "seq": self.last_seq,
            "changed_at": changed_at,
            "received_at": self.now,
        }
        if decision.deleted:
            recorded_at = current.recorded_at if current is not None else changed_at
            version = Version(
                **common,
                recorded_at=recorded_at,
                effective_at=effective_time(recorded_at, self.now),
                clock_skew=skewed,
                shared=False,
                deleted=True,
                instruments="",
            )
            if current is not None and not current.deleted:
                self.live_count -= 1
        else:
            data = change["data"]
            recorded_at = data["recorded_at"].astimezone(UTC)
            version = Version(
                **common,
                recorded_at=recorded_at,
                effective_at=effective_time(recorded_at, self.now),
                clock_skew=skewed or is_clock_skewed(recorded_at, self.now),
                shared=data["shared"],
                deleted=False,
                instruments=instruments_label(data["responses"]),
                content={"note": data["note"], "responses": data["responses"]},
                scores=scores,
            )
            if current is None:
                self.live_count += 1
        self.current[version.id] = version
        self.written[version.id] = version

    def write(self, session: Session, keys: SessionKeys) -> None:
        """The batch's check-ins, change records and feed position, in a few bulk statements."""
        inserts, updates = [], []
        for version in self.written.values():
            row = sealed_row(version, keys)
            if version.id in self.stored:
                updates.append({f"v_{name}": value for name, value in row.items()})
            else:
                inserts.append(row)
        connection = session.connection()
        insert_rows(connection, CHECKINS, inserts)
        if updates:
            connection.execute(_UPDATE_CHECKINS, updates)
        new_records = [
            {
                "user_id": self.user_id,
                "change_id": change_id,
                "device_id": self.device_id,
                "payload_hash": record.payload_hash,
                "outcome": record.outcome,
                "rev": record.rev,
                "seq": record.seq,
                "errors": record.errors,
                "created_at": self.now,
            }
            for change_id, record in self.records.items()
            if record.new
        ]
        insert_rows(connection, SYNC_CHANGES, new_records)
        if self.feed_moved:
            connection.execute(
                _MOVE_FEED,
                {
                    "feed_user_id": self.user_id,
                    "new_last_seq": self.last_seq,
                    "new_live_count": self.live_count,
                    "due_at": self.now,
                },
            )

    def render(self, keys: SessionKeys) -> list[dict[str, Any]]:
        """The results, with each conflict's ``current`` in the pulled shape."""
        for result in self.results:
            current = result.get("current")
            if isinstance(current, Version):
                result["current"] = current.open(keys).pulled()
        return self.results
