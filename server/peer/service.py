"""What a peer worker reads about the people linked to them (DESIGN.md sections 6 and 8).

A peer worker reads only people *currently* linked to them, and of those only
shared check-ins and the summary computed from shared check-ins. Anyone else's id
answers 404 exactly as an id that does not exist, so nothing leaks about who is
on the system. Every read is audited.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import PeerLink, Role, User
from server.aggregation.layout import change_model_layout
from server.aggregation.models import View
from server.aggregation.service import stored_summaries, stored_summary
from server.audit import service as audit
from server.checkins.models import Checkin
from server.errors import Forbidden, NotFound
from server.peer.models import PeerView
from server.sealing import session_keys

WORSE_EVENTS = ("reliable_deterioration", "reliable_drop", "worse_band_crossing")
FIRST_LOOK_WINDOW = timedelta(days=28)


@dataclass(frozen=True)
class Event:
    """Something in a person's shared summary a peer worker should notice."""

    measure: str
    label: str
    kind: str  # reliable_deterioration | reliable_drop | worse_band_crossing | band_crossing
    at: str

    @property
    def signature(self) -> str:
        """Identifies the event among those seen at a look."""
        return f"{self.measure}|{self.kind}|{self.at}"

    def body(self) -> dict[str, str]:
        """JSON-ready."""
        return {"measure": self.measure, "label": self.label, "kind": self.kind, "at": self.at}


def _require_peer_worker(actor: Actor) -> None:
    if actor.role is not Role.PEER_WORKER:
        raise Forbidden("Only peer workers see a caseload.")


def _linked_people(session: Session, peer_worker_id: uuid.UUID) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .join(PeerLink, PeerLink.service_user_id == User.id)
            .where(PeerLink.peer_worker_id == peer_worker_id, PeerLink.ended_at.is_(None))
        )
    )


def linked_person(session: Session, *, actor: Actor, person_id: uuid.UUID) -> User:
    """The person, if currently linked to this peer worker; otherwise 404, as for no one."""
    _require_peer_worker(actor)
    person = session.scalar(
        sa.select(User)
        .join(PeerLink, PeerLink.service_user_id == User.id)
        .where(
            User.id == person_id,
            PeerLink.peer_worker_id == actor.user_id,
            PeerLink.ended_at.is_(None),
        )
    )
    if person is None:
        raise NotFound("No such person in your caseload.")
    return person


def summary_events(document: dict[str, Any] | None) -> list[Event]:
    """The most recent reliable deterioration, drop and band crossing of each measure."""
    found: list[Event] = []
    for key, entry in sorted(((document or {}).get("measures") or {}).items()):
        candidates = [
            ("reliable_deterioration", entry.get("deteriorated_at")),
            ("reliable_drop", entry.get("dropped_at")),
            ("worse_band_crossing", entry.get("worse_crossing_at")),
        ]
        if entry.get("crossing") == "better":
            candidates.append(("band_crossing", entry.get("crossed_at")))
        found.extend(Event(key, entry.get("label", key), kind, at) for kind, at in candidates if at)
    return found


def new_events(
    document: dict[str, Any] | None, seen: list[str] | None, now: datetime
) -> list[Event]:
    """Events not on the page at the peer worker's last look (before any look: last 4 weeks)."""
    events = summary_events(document)
    if seen is None:
        return [e for e in events if _instant(e.at) > now - FIRST_LOOK_WINDOW]
    return [e for e in events if e.signature not in set(seen)]


def caseload(session: Session, *, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """Each linked person: last shared check-in, days since, and flags; most in need first."""
    _require_peer_worker(actor)
    people = _linked_people(session, actor.user_id)
    ids = [person.id for person in people]
    session_keys(session).prefetch(ids)
    last_shared = dict(
        session.execute(
            sa.select(Checkin.user_id, sa.func.max(Checkin.effective_at))
            .where(Checkin.user_id.in_(ids), Checkin.shared.is_(True), Checkin.deleted.is_(False))
            .group_by(Checkin.user_id)
        ).all()
    )
    looked = {
        view.service_user_id: view
        for view in session.scalars(
            sa.select(PeerView).where(PeerView.peer_worker_id == actor.user_id)
        )
    }
    summaries = stored_summaries(session, user_ids=ids, view=View.SHARED)
    entries = []
    for person in people:
        last = last_shared.get(person.id)
        view = looked.get(person.id)
        seen = None if view is None else view.seen_events
        events = new_events(summaries.get(person.id), seen, now)
        entries.append(
            {
                "id": person.id,
                "display_name": person.display_name,
                "username": person.username,
                "last_shared_checkin_at": last,
                # An effective time may run a few minutes ahead of the server's clock.
                "days_since_last_shared": None if last is None else max((now - last).days, 0),
                "flagged": bool(events),
                "needs_attention": any(e.kind in WORSE_EVENTS for e in events),
                "events": [event.body() for event in events],
                "last_viewed_at": None if view is None else view.last_viewed_at,
            }
        )
    entries.sort(key=_need)
    audit.record(
        session,
        actor=actor.audit,
        action="peer.caseload.read",
        now=now,
        details={"people": len(entries)},
    )
    return entries


def _need(entry: dict[str, Any]) -> tuple[bool, bool, float, str]:
    # Worse events first, then any other flag, then the longest silence; nothing shared last.
    days = entry["days_since_last_shared"]
    silence = -math.inf if days is None else float(days)
    return (not entry["needs_attention"], not entry["flagged"], -silence, entry["username"])


def person_summary(
    session: Session, *, actor: Actor, person_id: uuid.UUID, now: datetime
) -> dict[str, Any]:
    """The shared-view summary along the change model; marks this as the peer worker's look."""
    person = linked_person(session, actor=actor, person_id=person_id)
    document = stored_summary(session, user_id=person.id, view=View.SHARED)
    view = session.scalar(
        sa.select(PeerView).where(
            PeerView.peer_worker_id == actor.user_id, PeerView.service_user_id == person.id
        )
    )
    events = new_events(document, None if view is None else view.seen_events, now)
    if view is None:
        view = PeerView(peer_worker_id=actor.user_id, service_user_id=person.id)
        session.add(view)
    view.last_viewed_at = now
    view.seen_events = [event.signature for event in summary_events(document)]
    audit.record(
        session, actor=actor.audit, action="peer.summary.read", subject_id=person.id, now=now
    )
    session.flush()
    return {
        "id": person.id,
        "display_name": person.display_name,
        "username": person.username,
        "view": View.SHARED.value,
        **change_model_layout(document),
        "new_since_last_visit": [event.body() for event in events],
    }


def shared_checkins(
    session: Session, *, actor: Actor, person_id: uuid.UUID, limit: int, now: datetime
) -> list[dict[str, Any]]:
    """A linked person's shared, live check-ins, newest first, with notes and scores."""
    person = linked_person(session, actor=actor, person_id=person_id)
    rows = session.scalars(
        sa.select(Checkin)
        .where(Checkin.user_id == person.id, Checkin.shared.is_(True), Checkin.deleted.is_(False))
        .order_by(Checkin.effective_at.desc(), Checkin.id)
        .limit(limit)
    ).all()
    session_keys(session).prefetch([person.id])
    audit.record(
        session,
        actor=actor.audit,
        action="peer.checkins.read",
        subject_id=person.id,
        now=now,
        details={"checkins": len(rows)},
    )
    return [_shared_checkin(row) for row in rows]


def _shared_checkin(row: Checkin) -> dict[str, Any]:
    content = row.content or {}
    scores = row.scores or {}
    return {
        "id": row.id,
        "effective_at": row.effective_at,
        "note": content.get("note"),
        "scores": {
            f"{instrument}/{domain}": {"score": result.get("score"), "band": result.get("band")}
            for instrument, domains in sorted(scores.items())
            for domain, result in sorted(domains.items())
        },
    }


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
