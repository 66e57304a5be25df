"""Small builders for rows tests need, through the same service functions the app uses."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlalchemy.orm import Session

from server.accounts import service
from server.accounts.models import Role, Service, User
from server.clock import utcnow

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def unique_name(prefix: str) -> str:
    """A name no other test in this run uses."""
    return f"{prefix}{next(_counter)}"


def make_service(
    session: Session, *, name: str | None = None, now: datetime | None = None
) -> Service:
    return service.create_service(
        session, name=name or unique_name("Service "), now=now or utcnow()
    )


def make_user(
    session: Session,
    role: Role,
    *,
    username: str | None = None,
    password: str = PASSWORD,
    service_id: object | None = None,
    now: datetime | None = None,
) -> User:
    if service_id is None and role in (Role.SERVICE_USER, Role.PEER_WORKER):
        service_id = make_service(session).id
    return service.create_user(
        session,
        role=role,
        username=username or unique_name(role.value.replace("_", "-")),
        password=password,
        service_id=service_id,  # type: ignore[arg-type]
        password_min_length=10,
        now=now or utcnow(),
    )


def make_service_user(
    session: Session, *, peer_worker: User | None = None, username: str | None = None
) -> User:
    """A service user, linked to ``peer_worker`` (or to a new one)."""
    peer_worker = peer_worker or make_user(session, Role.PEER_WORKER)
    person = make_user(
        session, Role.SERVICE_USER, username=username, service_id=peer_worker.service_id
    )
    service.link_to_peer_worker(session, service_user=person, peer_worker=peer_worker, now=utcnow())
    return person
