"""What a peer worker reads about the people linked to them (DESIGN.md §6, §8, §11).

A peer worker reads only people *currently* linked to them, and of those only
shared check-ins, the summary computed from shared check-ins, and the concerns
raised from them. Anyone else's id answers 404 exactly as an id that does not
exist, so nothing leaks about who is on the system. Every read is audited.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
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
from server.concerns import service as concerns
from server.concerns.models import Concern
from server.concerns.words import quiet_message
from server.errors import Forbidden, NotFound
from server.instruments.registry import InstrumentRegistry
from server.peer.answers import answered
from server.peer.domains import CASELOAD_POINTS, domains
from server.peer.models import PeerView
from server.sealing import session_keys

PERSON_POINTS = 52


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


def _events(
    rows: list[Concern], document: dict[str, Any] | None, now: datetime
) -> list[dict[str, Any]]:
    quiet = concerns.quiet_for(document, now)
    return [concerns.event_body(row, names={}, quiet_for=quiet) for row in rows]


def _quiet_line(events: list[dict[str, Any]], quiet: int | None) -> dict[str, Any] | None:
    # Someone quiet shows one line: the open concern's, or else this one.
    if quiet is None or any(event["kind"] == "quiet" for event in events):
        return None
    return {"days": quiet, "message": quiet_message(quiet)}


def caseload(
    session: Session, *, actor: Actor, registry: InstrumentRegistry, now: datetime
) -> list[dict[str, Any]]:
    """Each linked person at a glance: the four measures, open concerns; most in need first."""
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
    looked = _views(session, actor.user_id)
    summaries = stored_summaries(session, user_ids=ids, view=View.SHARED)
    open_rows = concerns.open_concerns(session, user_ids=ids)
    followed = _last_followed_up(session, ids)
    entries = []
    for person in people:
        last, document = last_shared.get(person.id), summaries.get(person.id)
        events = _events(open_rows.get(person.id, []), document, now)
        quiet = concerns.quiet_for(document, now) if last is not None else None
        view = looked.get(person.id)
        entries.append(
            {
                "id": person.id,
                "display_name": person.display_name,
                "username": person.username,
                "last_shared_checkin_at": last,
                # An effective time may run a few minutes ahead of the server's clock.
                "days_since_last_shared": None if last is None else max((now - last).days, 0),
                "quiet": _quiet_line(events, quiet),
                "urgent": any(event["urgent"] for event in events),
                "needs_attention": any(event["concern"] for event in events),
                "flagged": bool(events),
                "events": events,
                "domains": domains(document, registry, points=CASELOAD_POINTS, detail=False),
                "last_viewed_at": None if view is None else view.last_viewed_at,
                "last_followed_up_at": followed.get(person.id),
                "_quiet_days": quiet,
                "_newest_worry": max((e["raised_at"] for e in events if _worry(e)), default=None),
            }
        )
    entries.sort(key=_need)
    for entry in entries:
        del entry["_quiet_days"], entry["_newest_worry"]
    return entries


def caseload_tag(entries: list[dict[str, Any]]) -> str:
    """An ETag for what the caseload shows: the same entries give the same tag."""
    return hashlib.sha256(repr(entries).encode("utf-8")).hexdigest()[:32]


def record_caseload_read(session: Session, *, actor: Actor, people: int, now: datetime) -> None:
    """Audit a caseload sent to the peer worker (a 304 sends nothing, and is not one)."""
    audit.record(
        session, actor=actor.audit, action="peer.caseload.read", now=now, details={"people": people}
    )


def _need(entry: dict[str, Any]) -> tuple[int, float, float, str]:
    """Urgent first, then new concerns (newest first), then the longest quiet, then by name."""
    newest = entry["_newest_worry"]
    if entry["urgent"]:
        group = 0
    elif newest is not None:
        group = 1
    elif entry["_quiet_days"] is not None:
        group = 2
    else:
        group = 3
    recency = -newest.timestamp() if newest is not None else 0.0
    quiet = -float(entry["_quiet_days"] or 0)
    name = (entry["display_name"] or entry["username"]).casefold()
    return (group, recency, quiet, name)


def _worry(event: dict[str, Any]) -> bool:
    # Going quiet is its own group in the order, after the worries about answers.
    return bool(event["concern"]) and event["kind"] != "quiet"


def _views(session: Session, peer_worker_id: uuid.UUID) -> dict[uuid.UUID, PeerView]:
    return {
        view.service_user_id: view
        for view in session.scalars(
            sa.select(PeerView).where(PeerView.peer_worker_id == peer_worker_id)
        )
    }


def _last_followed_up(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, datetime]:
    if not ids:
        return {}
    statement = (
        sa.select(Concern.user_id, sa.func.max(Concern.acknowledged_at))
        .where(Concern.user_id.in_(ids), Concern.acknowledged_at.is_not(None))
        .group_by(Concern.user_id)
    )
    return {user_id: at for user_id, at in session.execute(statement) if at is not None}


def person_summary(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    registry: InstrumentRegistry,
    now: datetime,
) -> dict[str, Any]:
    """The person's story along the change model, what changed since the last look, concerns."""
    person = linked_person(session, actor=actor, person_id=person_id)
    document = stored_summary(session, user_id=person.id, view=View.SHARED)
    view = session.scalar(
        sa.select(PeerView).where(
            PeerView.peer_worker_id == actor.user_id, PeerView.service_user_id == person.id
        )
    )
    last_look = None if view is None else view.last_viewed_at
    events = _events(
        concerns.open_concerns(session, user_ids=[person.id]).get(person.id, []), document, now
    )
    quiet = concerns.quiet_for(document, now)
    body = {
        "id": person.id,
        "display_name": person.display_name,
        "username": person.username,
        "view": View.SHARED.value,
        **change_model_layout(document),
        "domains": domains(document, registry, points=PERSON_POINTS, detail=True),
        "concerns": events,
        "history": _history(session, person.id),
        "since_last_look": {
            "last_viewed_at": last_look,
            "new_checkins": _shared_since(session, person.id, last_look),
            "events": [e for e in events if last_look is None or e["raised_at"] > last_look],
        },
        "quiet": _quiet_line(events, quiet),
    }
    # The look is recorded, and clears nothing: concerns stay until followed up.
    if view is None:
        view = PeerView(peer_worker_id=actor.user_id, service_user_id=person.id)
        session.add(view)
    view.last_viewed_at = now
    audit.record(
        session, actor=actor.audit, action="peer.summary.read", subject_id=person.id, now=now
    )
    session.flush()
    return body


def _history(session: Session, person_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = concerns.followed_up(session, user_id=person_id)
    names = concerns.usernames(session, (row.acknowledged_by_id for row in rows))
    return [concerns.event_body(row, names=names) for row in rows]


def _shared_since(session: Session, person_id: uuid.UUID, since: datetime | None) -> int:
    # Received, not effective, time: a check-in made offline arrives backdated after a look.
    statement = sa.select(sa.func.count()).where(
        Checkin.user_id == person_id, Checkin.shared.is_(True), Checkin.deleted.is_(False)
    )
    if since is not None:
        statement = statement.where(Checkin.received_at > since)
    return int(session.scalar(statement) or 0)


def acknowledge(
    session: Session, *, actor: Actor, person_id: uuid.UUID, note: str | None, now: datetime
) -> dict[str, Any]:
    """Mark the person's open concerns followed up, with an optional note; audited."""
    person = linked_person(session, actor=actor, person_id=person_id)
    count = concerns.acknowledge(session, actor=actor, user_id=person.id, note=note, now=now)
    return {"acknowledged": count, "history": _history(session, person.id)}


def shared_checkins(
    session: Session,
    *,
    actor: Actor,
    person_id: uuid.UUID,
    limit: int,
    registry: InstrumentRegistry,
    now: datetime,
) -> list[dict[str, Any]]:
    """A linked person's shared, live check-ins, newest first, with answers, notes and scores."""
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
    return [_shared_checkin(row, registry) for row in rows]


def _shared_checkin(row: Checkin, registry: InstrumentRegistry) -> dict[str, Any]:
    content = row.content or {}
    scores = row.scores or {}
    return {
        "id": row.id,
        "effective_at": row.effective_at,
        "note": content.get("note"),
        "answers": answered(content, registry),
        "scores": {
            f"{instrument}/{domain}": {"score": result.get("score"), "band": result.get("band")}
            for instrument, domains in sorted(scores.items())
            for domain, result in sorted(domains.items())
        },
    }
