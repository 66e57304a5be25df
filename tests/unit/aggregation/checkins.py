"""Check-ins for aggregation tests, pushed through the real sync service (scored and sealed)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import Role, User
from server.checkins.service import push_changes
from server.instruments import current_registry
from server.scheduler.jobs import JobContext

DEVICE = uuid.UUID("6f1c0000-0000-4000-8000-000000000001")


def checkin_answers(level: int, *, active_days: int = 3) -> dict[str, Any]:
    """The Alongside check-in with every 0-10 item at ``level``."""
    items = (
        "trust_peer_worker",
        "trust_understood",
        "hope_weeks_ahead",
        "hope_self_care",
        "connection_people",
        "connection_asking_services",
    )
    return {**dict.fromkeys(items, level), "active_days": active_days}


def who5_answers(each: int) -> dict[str, Any]:
    """WHO-5 with every item at ``each`` (0-5): a score of 20 x each."""
    items = ("who5_cheerful", "who5_calm", "who5_active", "who5_rested", "who5_interest")
    return dict.fromkeys(items, each)


def push(
    session: Session,
    person: User,
    *,
    recorded_at: datetime,
    shared: bool = True,
    note: str | None = None,
    checkin: dict[str, Any] | None = None,
    who5: dict[str, Any] | None = None,
    received_at: datetime | None = None,
    op: str = "put",
    checkin_id: uuid.UUID | None = None,
    base_rev: int | None = None,
) -> dict[str, Any]:
    """Push one change as ``person`` (app context needed); returns its applied result."""
    responses = []
    if checkin is not None:
        responses.append({"instrument": "alongside-checkin", "version": 1, "answers": checkin})
    if who5 is not None:
        responses.append({"instrument": "who5", "version": 1, "answers": who5})
    change: dict[str, Any] = {
        "change_id": str(uuid.uuid4()),
        "id": str(checkin_id or uuid.uuid4()),
        "op": op,
        "base_rev": base_rev,
        "changed_at": recorded_at.isoformat(),
    }
    if op == "put":
        change["data"] = {
            "recorded_at": recorded_at.isoformat(),
            "shared": shared,
            "note": note,
            "responses": responses,
        }
    outcome = push_changes(
        session,
        actor=Actor(person.id, Role.SERVICE_USER, person.service_id),
        body={"device_id": str(DEVICE), "changes": [change]},
        registry=current_registry(),
        now=received_at or recorded_at + timedelta(minutes=1),
    )
    (result,) = outcome.results
    assert result["status"] == "applied", result
    session.flush()
    return result


def job_context(app: Flask, session: Session, now: datetime, progress: Any = None) -> JobContext:
    """What the scheduler hands a job, on the test's session."""
    if progress is None:
        return JobContext(session=session, config=app.config, now=now)
    return JobContext(session=session, config=app.config, now=now, progress=progress)
