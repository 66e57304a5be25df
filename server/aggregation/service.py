"""Computing, storing and reading person summaries (DESIGN.md section 8).

Each person has two stored summaries: the **shared** view, from the check-ins they
shared with their peer worker (the only one a peer worker can read), and the
**own** view, from all of them (theirs alone). Both are rewritten together, so one
watermark (``source_seq``, the feed's ``last_seq`` read *before* the check-ins)
says how far both reach: a person is stale when their feed has moved past it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from server.accounts.actor import Actor
from server.accounts.models import Role
from server.aggregation.layout import change_model_layout
from server.aggregation.loading import ScoredCheckins, load_scored_checkins
from server.aggregation.models import PersonSummary, View
from server.aggregation.person_summary import person_documents, summarise_people
from server.checkins.models import CheckinFeed
from server.errors import Forbidden
from server.instruments.registry import InstrumentRegistry
from server.keys.models import UserKey
from server.sealing import session_keys

# A summary also ages without new check-ins (4-week means, trends): recompute daily.
STALE_AFTER = timedelta(hours=24)
BATCH_PEOPLE = 250


@dataclass(frozen=True)
class FeedPosition:
    """A person due a new summary, and how far their feed reached when they were chosen."""

    user_id: uuid.UUID
    last_seq: int


def _stale_condition(now: datetime) -> sa.ColumnElement[bool]:
    own = aliased(PersonSummary)
    newest = (
        sa.select(own.id)
        .where(
            own.user_id == CheckinFeed.user_id,
            own.view == View.OWN.value,
            own.source_seq >= CheckinFeed.last_seq,
            own.computed_at > now - STALE_AFTER,
        )
        .exists()
    )
    # Only people who still have a data key: an erased person's rows are on their way out.
    has_key = sa.select(UserKey.user_id).where(UserKey.user_id == CheckinFeed.user_id).exists()
    return sa.and_(~newest, has_key)


def count_stale(session: Session, *, now: datetime) -> int:
    """How many people are due a new summary (for progress)."""
    statement = sa.select(sa.func.count()).select_from(CheckinFeed).where(_stale_condition(now))
    return int(session.scalar(statement) or 0)


def next_stale(
    session: Session, *, now: datetime, after: uuid.UUID | None, limit: int = BATCH_PEOPLE
) -> list[FeedPosition]:
    """The next people due a new summary, by user id after ``after`` (so every run ends)."""
    statement = (
        sa.select(CheckinFeed.user_id, CheckinFeed.last_seq)
        .where(_stale_condition(now))
        .order_by(CheckinFeed.user_id)
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(CheckinFeed.user_id > after)
    return [FeedPosition(user_id, last_seq) for user_id, last_seq in session.execute(statement)]


@dataclass(frozen=True)
class SummaryBatch:
    """One batch's people, their check-ins, and both views' documents, not yet stored."""

    loaded: ScoredCheckins
    seq_of: dict[uuid.UUID, int]  # the feed position each person's documents reach
    documents: dict[View, list[dict[str, Any]]]  # by view, indexed like loaded.user_ids

    @property
    def people(self) -> int:
        return len(self.loaded.user_ids)

    @property
    def shared(self) -> dict[uuid.UUID, dict[str, Any]]:
        """The shared-view document of each person, by user id."""
        return dict(zip(self.loaded.user_ids, self.documents[View.SHARED], strict=True))


def summarise(
    session: Session,
    *,
    positions: Sequence[FeedPosition],
    registry: InstrumentRegistry,
    now: datetime,
) -> SummaryBatch:
    """Compute both views for these people (reads only: the jobs run it without the write lock)."""
    seq_of = {position.user_id: position.last_seq for position in positions}
    loaded = load_scored_checkins(session, user_ids=list(seq_of), registry=registry)
    views = {View.OWN: np.ones(len(loaded.person), dtype=bool), View.SHARED: loaded.shared}
    documents = {}
    for view, rows in views.items():
        summaries = summarise_people(
            people=len(loaded.user_ids),
            series=loaded.series(registry, rows),
            checkin_person=loaded.person[rows],
            checkin_time=loaded.time[rows],
            now=now.timestamp(),
        )
        documents[view] = person_documents(summaries=summaries)
    return SummaryBatch(loaded, seq_of, documents)


def store_summaries(session: Session, *, batch: SummaryBatch, now: datetime) -> None:
    """Store the batch's documents sealed, each with the feed position it reaches."""
    user_ids = batch.loaded.user_ids
    existing = {
        (row.user_id, row.view): row
        for row in session.scalars(
            sa.select(PersonSummary).where(PersonSummary.user_id.in_(user_ids))
        )
    }
    for view, documents in batch.documents.items():
        for user_id, document in zip(user_ids, documents, strict=True):
            row = existing.get((user_id, view.value))
            if row is None:
                row = PersonSummary(user_id=user_id, view=view.value)
                session.add(row)
            row.document = document
            row.source_seq = batch.seq_of[user_id]
            row.computed_at = now
    session.flush()


def next_due(session: Session, *, limit: int = BATCH_PEOPLE) -> list[FeedPosition]:
    """People a push marked due for a fresh summary, longest waiting first."""
    statement = (
        sa.select(CheckinFeed.user_id, CheckinFeed.last_seq)
        .where(CheckinFeed.summary_due_at.is_not(None))
        .order_by(CheckinFeed.summary_due_at, CheckinFeed.user_id)
        .limit(limit)
    )
    return [FeedPosition(user_id, last_seq) for user_id, last_seq in session.execute(statement)]


def any_due(session: Session) -> bool:
    """Whether any push is waiting for its summary (a cheap check before taking the lock)."""
    statement = sa.select(CheckinFeed.user_id).where(CheckinFeed.summary_due_at.is_not(None))
    return session.execute(statement.limit(1)).first() is not None


def mark_summarised(session: Session, *, positions: Sequence[FeedPosition]) -> None:
    """Clear "due" for people whose feed has not moved since their summary read it."""
    if positions:
        session.connection().execute(
            _CLEAR_DUE, [{"due_user_id": p.user_id, "due_seq": p.last_seq} for p in positions]
        )


# A push that lands after the summary read the feed moves last_seq, so the person
# stays due: compare-and-clear, never a blind clear (DESIGN.md §11).
_CLEAR_DUE = (
    sa.update(CheckinFeed)
    .where(
        CheckinFeed.user_id == sa.bindparam("due_user_id", type_=sa.Uuid()),
        CheckinFeed.last_seq == sa.bindparam("due_seq"),
    )
    .values(summary_due_at=None)
)


def stored_summary(session: Session, *, user_id: uuid.UUID, view: View) -> dict[str, Any] | None:
    """A person's stored summary document in one view, or None if none is computed yet."""
    row = session.scalar(
        sa.select(PersonSummary).where(
            PersonSummary.user_id == user_id, PersonSummary.view == view.value
        )
    )
    return None if row is None else row.document


def stored_summaries(
    session: Session, *, user_ids: Sequence[uuid.UUID], view: View
) -> dict[uuid.UUID, dict[str, Any]]:
    """Stored documents of many people in one view, by user id (absent where none)."""
    if not user_ids:
        return {}
    rows = session.scalars(
        sa.select(PersonSummary).where(
            PersonSummary.user_id.in_(user_ids), PersonSummary.view == view.value
        )
    ).all()
    session_keys(session).prefetch(row.user_id for row in rows)
    return {row.user_id: row.document for row in rows}


def own_summary(session: Session, *, actor: Actor) -> dict[str, Any]:
    """The person's own view (all their check-ins) along the change model, for their history."""
    if actor.role is not Role.SERVICE_USER:
        raise Forbidden("Only people who check in have a summary.")
    document = stored_summary(session, user_id=actor.user_id, view=View.OWN)
    return {"view": View.OWN.value, **change_model_layout(document)}
