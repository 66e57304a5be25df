"""Check-ins, each person's change feed, and the idempotency record of every pushed change.

A ``Checkin`` row holds a check-in's latest version only (DESIGN.md §3-4). Plain columns
are metadata needed for queries (ids, times, flags, revs, seqs, instrument versions);
the answers, note and scores are sealed with the person's data key (DESIGN.md §5).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from server.database import Base
from server.sealing import JSON, Codec, Sealed

# The encoder that renders pulled_sealed (versions.seal_version): a value set through the
# ORM is then byte for byte what pull serves.
_ORJSON: Codec[Any] = Codec(orjson.dumps, orjson.loads)

# Feed positions and revs: BIGINT on PostgreSQL, SQLite's INTEGER is 64-bit anyway.
BigInt = sa.BigInteger().with_variant(sa.Integer, "sqlite")


class Checkin(Base):
    """One check-in at its latest version; a tombstone (``deleted``) once it was deleted."""

    __tablename__ = "checkins"
    # Pull reads "this person's rows above seq N in seq order": this index serves it, and
    # uniqueness proves no two versions ever share a feed position.
    __table_args__ = (sa.UniqueConstraint("user_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made on the phone
    user_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID]  # the device of the latest change
    rev: Mapped[int] = mapped_column(BigInt)
    seq: Mapped[int] = mapped_column(BigInt)
    recorded_at: Mapped[datetime]  # phone clock, kept as sent
    changed_at: Mapped[datetime]  # phone clock, of the latest change
    received_at: Mapped[datetime]  # server clock, of the latest change
    # min(recorded_at, received_at + 5 min): the time every ordering and trend uses.
    effective_at: Mapped[datetime]
    clock_skew: Mapped[bool]
    shared: Mapped[bool]  # the linked peer worker may see it
    deleted: Mapped[bool]
    # Answered instrument versions, e.g. "alongside-checkin@1 who5@1" ("" for tombstones).
    instruments: Mapped[str] = mapped_column(sa.String(400))
    content_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    scores_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # This version exactly as pull shows it (Version.pulled() as compact JSON), sealed on
    # write so a pull opens one value per change and formats nothing. Push rewrites it with
    # every version; any other writer of a row must too, or set it NULL, which pull renders
    # from the columns above (as for rows written before migration 0008).
    pulled_sealed: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    # {"note": str | None, "responses": [{"instrument", "version", "answers"}]}
    content = Sealed[dict[str, Any]]("content_sealed", codec=JSON)
    # {"<instrument>@<version>": {domain: score_one's dict}}
    scores = Sealed[dict[str, Any]]("scores_sealed", codec=JSON)
    # The pulled change: {"id", "rev", "seq", "deleted", ..., "data", "scores"}
    pulled = Sealed[dict[str, Any]]("pulled_sealed", codec=_ORJSON)


class PurgedCheckin(Base):
    """A check-in whose tombstone was purged: its id stays deleted.

    Without it, a change replayed after both the tombstone and its own change record were
    purged (a phone that lost a push's answer and stayed offline past the retention) was
    decided as if the id were new, and a put brought a deleted check-in back. Only the id,
    its owner and when: nothing a check-in said.
    """

    __tablename__ = "purged_checkins"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purged_at: Mapped[datetime]


class CheckinFeed(Base):
    """One person's feed: its newest seq, the purge horizon, and the live check-in count.

    Pushes lock this row, so each person's seqs are handed out in commit order and a
    puller never skips a committed change (DESIGN.md §4).
    """

    __tablename__ = "checkin_feeds"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_seq: Mapped[int] = mapped_column(BigInt)
    # Tombstones below this seq were purged: a cursor under it must start again.
    purged_below_seq: Mapped[int] = mapped_column(BigInt)
    # Check-ins not deleted, kept in step under the lock so pull need not count them.
    live_count: Mapped[int] = mapped_column(BigInt)
    # Set by the push that moves the feed, cleared once a summary covers it: the people
    # whose summaries and concerns the feedback job refreshes within seconds (DESIGN.md §11).
    summary_due_at: Mapped[datetime | None] = mapped_column(index=True)


class SyncChange(Base):
    """What happened to one pushed ``change_id``, so a replay stores nothing twice."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        sa.CheckConstraint("outcome IN ('applied', 'conflict', 'rejected')", name="outcome_known"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    change_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    device_id: Mapped[uuid.UUID]
    payload_hash: Mapped[str] = mapped_column(sa.String(64))  # sync.hashing.change_hash
    outcome: Mapped[str] = mapped_column(sa.String(10))
    rev: Mapped[int | None] = mapped_column(BigInt)
    seq: Mapped[int | None] = mapped_column(BigInt)
    # Field paths and messages only, never answers or notes.
    errors: Mapped[dict[str, list[str]] | None] = mapped_column(sa.JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(index=True)
