"""Appending to and verifying the audit log (DESIGN.md §6)."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.audit.models import AuditChainHead, AuditEvent

GENESIS_HASH = "0" * 64
HEAD_ID = 1


@dataclass(frozen=True)
class AuditActor:
    """Who did something: a user id and role, or ``None`` for the system itself."""

    id: uuid.UUID | None
    role: str | None


SYSTEM = AuditActor(id=None, role="system")


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over a canonical JSON of the event's columns and the previous event's hash."""
    canonical = json.dumps(
        [
            event.seq,
            event.occurred_at.isoformat(timespec="microseconds"),
            str(event.actor_id) if event.actor_id else None,
            event.actor_role,
            event.action,
            str(event.subject_id) if event.subject_id else None,
            event.details,
            event.prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _lock_head(session: Session) -> AuditChainHead:
    head = session.execute(
        sa.select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        session.add(head)
    return head


def record(
    session: Session,
    *,
    actor: AuditActor,
    action: str,
    now: datetime,
    subject_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction."""
    head = _lock_head(session)
    details = details or {}
    event = AuditEvent(
        seq=head.last_seq + 1,
        occurred_at=now,
        actor_id=actor.id,
        actor_role=actor.role,
        action=action,
        subject_id=subject_id,
        details=details,
        prev_hash=head.last_hash,
    )
    event.row_hash = event_hash(event)
    session.add(event)
    head.last_seq, head.last_hash = event.seq, event.row_hash
    session.flush()
    return event


@dataclass(frozen=True)
class ChainReport:
    """The outcome of verifying the chain: how many rows checked and the first broken one."""

    checked: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


def _events(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify_chain(session: Session, *, batch: int = 1000) -> ChainReport:
    """Walk the log in order and report the first row whose hash or link does not hold."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    for event in _events(session, batch):
        if event.seq != expected_seq:
            return ChainReport(checked, expected_seq, "row missing")
        if event.prev_hash != expected_prev:
            return ChainReport(checked, event.seq, "link to the previous row does not match")
        recomputed = event_hash(event)
        if recomputed != event.row_hash:
            return ChainReport(checked, event.seq, "row content does not match its hash")
        expected_prev, expected_seq, checked = event.row_hash, event.seq + 1, checked + 1
    head = session.get(AuditChainHead, HEAD_ID)
    if head is not None and head.last_seq != checked:
        return ChainReport(checked, checked + 1, "rows after this point were removed")
    return ChainReport(checked, None, None)
