"""Raising, reading and following up concerns (DESIGN.md §11).

The summary jobs call ``raise_concerns`` with each batch's candidates; the peer
worker's routes read open concerns and history and acknowledge them. Services flush;
the job or route owns the transaction (CONVENTIONS.md 6).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import User
from server.audit import service as audit
from server.concerns.models import Concern
from server.concerns.rules import QUIET_MEASURE, Candidate, instant, order, quiet_days
from server.concerns.words import measure_label, quiet_message
from server.sealing import session_keys

HISTORY_LIMIT = 50


def raise_concerns(
    session: Session,
    *,
    found: Mapping[uuid.UUID, Sequence[Candidate]],
    shared_times: Mapping[uuid.UUID, set[str]],
    now: datetime,
) -> int:
    """Store new candidates, one open concern per measure; returns how many were raised.

    ``found`` holds every person of the batch (an empty list withdraws what no longer
    holds); ``shared_times`` their shared check-ins' times, to tell an event whose
    check-in was un-shared or deleted (withdrawn) from one that is simply past.
    """
    if not found:
        return 0
    rows = session.scalars(
        sa.select(Concern).where(Concern.user_id.in_(list(found)), Concern.withdrawn_at.is_(None))
    ).all()
    session_keys(session).prefetch(found)
    by_person: dict[uuid.UUID, list[Concern]] = {}
    for row in rows:
        by_person.setdefault(row.user_id, []).append(row)
    raised = 0
    for user_id, candidates in found.items():
        raised += _reconcile(
            session, user_id, candidates, by_person.get(user_id, []), shared_times, now
        )
    session.flush()
    return raised


def _reconcile(
    session: Session,
    user_id: uuid.UUID,
    candidates: Sequence[Candidate],
    stored: list[Concern],
    shared_times: Mapping[uuid.UUID, set[str]],
    now: datetime,
) -> int:
    seen = {(row.measure, row.signature) for row in stored}
    open_rows = {row.measure: row for row in stored if row.acknowledged_at is None}
    raised = 0
    for candidate in candidates:
        if (candidate.measure, candidate.signature) in seen:
            continue
        row = open_rows.get(candidate.measure)
        if row is None:
            row = Concern(user_id=user_id)
            session.add(row)
        # A newer event on a measure replaces the open one: one measure, one line.
        row.detail = {
            "measure": candidate.measure,
            "kind": candidate.kind,
            "signature": candidate.signature,
            "concern": candidate.concern,
            "urgent": candidate.urgent,
            "event_at": candidate.at,
            "message": candidate.message,
        }
        row.raised_at = now
        raised += 1
    current = {candidate.measure for candidate in candidates}
    times = shared_times.get(user_id, set())
    for measure, row in open_rows.items():
        if measure not in current and _no_longer_holds(row, times):
            row.withdrawn_at = now
    return raised


def _no_longer_holds(row: Concern, shared_times: set[str]) -> bool:
    # Someone quiet who shared again is no longer quiet; any other event stands while the
    # check-in it is about is still shared (it stays until followed up, even if things improve).
    if row.measure == QUIET_MEASURE:
        return True
    return str(row.detail["event_at"]) not in shared_times


def open_concerns(
    session: Session, *, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Concern]]:
    """Each person's concerns awaiting follow-up: urgent first, then worries, then good news."""
    if not user_ids:
        return {}
    rows = session.scalars(
        sa.select(Concern)
        .where(
            Concern.user_id.in_(user_ids),
            Concern.acknowledged_at.is_(None),
            Concern.withdrawn_at.is_(None),
        )
        .order_by(Concern.raised_at.desc(), Concern.id)
    ).all()
    session_keys(session).prefetch({row.user_id for row in rows})
    found: dict[uuid.UUID, list[Concern]] = {}
    for row in sorted(rows, key=order):
        found.setdefault(row.user_id, []).append(row)
    return found


def followed_up(session: Session, *, user_id: uuid.UUID) -> list[Concern]:
    """The person's concerns that were followed up, newest first."""
    return list(
        session.scalars(
            sa.select(Concern)
            .where(Concern.user_id == user_id, Concern.acknowledged_at.is_not(None))
            .order_by(Concern.acknowledged_at.desc(), Concern.raised_at.desc())
            .limit(HISTORY_LIMIT)
        )
    )


def acknowledge(
    session: Session, *, actor: Actor, user_id: uuid.UUID, note: str | None, now: datetime
) -> int:
    """Mark the person's open concerns followed up (the caller checked access); audited."""
    rows = open_concerns(session, user_ids=[user_id]).get(user_id, [])
    for row in rows:
        row.acknowledged_at, row.acknowledged_by_id = now, actor.user_id
        row.note = note or None
    audit.record(
        session,
        actor=actor.audit,
        action="peer.concerns.acknowledged",
        subject_id=user_id,
        now=now,
        details={"concerns": len(rows), "note": bool(note)},
    )
    session.flush()
    return len(rows)


def event_body(
    row: Concern, *, names: Mapping[uuid.UUID, str], quiet_for: int | None = None
) -> dict[str, object]:
    """A concern as the API shows it; a quiet line counts its days afresh."""
    message = row.message or ""
    if row.kind == "quiet" and quiet_for is not None:
        message = quiet_message(quiet_for)
    return {
        "id": row.id,
        "measure": row.measure,
        "label": measure_label(row.measure),
        "kind": row.kind,
        "concern": row.concern,
        "urgent": row.urgent,
        "message": message,
        "at": row.event_at,
        "raised_at": row.raised_at,
        "acknowledged_at": row.acknowledged_at,
        "acknowledged_by": names.get(row.acknowledged_by_id) if row.acknowledged_by_id else None,
        "note": row.note if row.acknowledged_at else None,
    }


def usernames(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Usernames of the staff who followed concerns up."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(sa.select(User.id, User.username).where(User.id.in_(wanted))).all())


def quiet_for(document: Mapping[str, Any] | None, now: datetime) -> int | None:
    """Days they have been quiet as of ``now`` (the summary may be a day old)."""
    days = quiet_days(document)
    if days is None:
        return None
    computed = (document or {}).get("computed_at")
    if isinstance(computed, str):
        days += max((now - instant(computed)).days, 0)
    return days
