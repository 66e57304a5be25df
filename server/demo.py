"""``alongside demo``: a demo service with staff and a peer worker's caseload, loaded once."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from server.accounts import service
from server.accounts.actor import Actor
from server.accounts.models import Role, Service, User
from server.aggregation.jobs import refresh_person_summaries
from server.audit import service as audit
from server.audit.service import SYSTEM
from server.checkins.demo import load_demo_checkins
from server.checkins.demo_stories import STORIES, Story
from server.clock import utcnow
from server.extensions import current_session
from server.instruments import current_registry
from server.scheduler.jobs import JobContext

DEMO_SERVICE = "Riverside Peer Support (demo)"
CREDENTIALS_FILE = "demo-accounts.txt"
PEER_WORKER = "demo-peer"
STAFF: tuple[tuple[str, Role], ...] = (
    ("demo-admin", Role.ADMIN),
    (PEER_WORKER, Role.PEER_WORKER),
    ("demo-researcher", Role.RESEARCHER),
)
PEOPLE = tuple(story.username for story in STORIES)
DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    *STAFF,
    *((username, Role.SERVICE_USER) for username in PEOPLE),
)
# The first people are printed with their passwords; the rest are summed up in one line.
PRINTED_PEOPLE = 3


class _Settings(NamedTuple):
    password_min_length: int
    consent_version: str
    now: datetime


def _credentials_path() -> Path:
    return Path(current_app.instance_path) / CREDENTIALS_FILE


def _write_credentials(passwords: dict[str, str]) -> None:
    """Keep the generated passwords in the instance folder, readable by this user only."""
    path = _credentials_path()
    lines = [f"{username} {password}\n" for username, password in passwords.items()]
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("".join(lines), encoding="utf-8")


def _read_credentials() -> dict[str, str]:
    path = _credentials_path()
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if line)
    return dict(pairs)


def _create_account(
    session: Session, *, username: str, role: Role, demo_service: Service, settings: _Settings
) -> tuple[User, str]:
    password = secrets.token_urlsafe(9)
    user = service.create_user(
        session,
        role=role,
        username=username,
        password=password,
        service_id=demo_service.id if role in (Role.PEER_WORKER, Role.SERVICE_USER) else None,
        password_min_length=settings.password_min_length,
        now=settings.now,
    )
    return user, password


def _welcome(
    session: Session, *, story: Story, person: User, peer_worker: User, settings: _Settings
) -> None:
    """What a new demo person has: a name, the demo peer worker and perhaps research consent."""
    person.display_name = story.display_name
    service.link_to_peer_worker(
        session, service_user=person, peer_worker=peer_worker, now=settings.now
    )
    if story.research_consent:
        actor = Actor(person.id, Role.SERVICE_USER, person.service_id)
        service.set_research_consent(
            session, actor=actor, granted=True, version=settings.consent_version, now=settings.now
        )


def load_demo_accounts(
    session: Session, *, password_min_length: int, consent_version: str
) -> dict[str, str]:
    """Create the demo service and whichever demo accounts are missing; returns new passwords.

    Missing rather than all, so a demo loaded by an older version gains the people added
    since, without touching the accounts (and passwords) it already has.
    """
    settings = _Settings(password_min_length, consent_version, utcnow())
    demo_service = session.scalar(sa.select(Service).where(Service.name == DEMO_SERVICE))
    if demo_service is None:
        demo_service = service.create_service(session, name=DEMO_SERVICE, now=settings.now)
    usernames = [username for username, _ in DEMO_ACCOUNTS]
    users = {
        user.username: user
        for user in session.scalars(sa.select(User).where(User.username.in_(usernames)))
    }
    passwords: dict[str, str] = {}
    for username, role in DEMO_ACCOUNTS:
        if username not in users:
            users[username], passwords[username] = _create_account(
                session, username=username, role=role, demo_service=demo_service, settings=settings
            )
    for story in STORIES:
        if story.username in passwords:
            person, peer_worker = users[story.username], users[PEER_WORKER]
            _welcome(
                session, story=story, person=person, peer_worker=peer_worker, settings=settings
            )
    if passwords:
        audit.record(
            session,
            actor=SYSTEM,
            action="admin.demo.load",
            subject_id=demo_service.id,
            now=settings.now,
        )
    return passwords


def _load_checkins() -> Counter[str]:
    """Up to 12 weeks of check-ins for each demo person, through the real push path."""
    session = current_session()
    demo_service = session.scalars(sa.select(Service).where(Service.name == DEMO_SERVICE)).one()
    people = list(session.scalars(sa.select(User).where(User.username.in_(PEOPLE))))
    return load_demo_checkins(
        session,
        people=sorted(people, key=lambda person: person.username),
        anchor=demo_service.created_at,
        registry=current_registry(),
        now=utcnow(),
    )


def _echo_accounts(passwords: dict[str, str]) -> None:
    """Staff and the first few people one per line; the rest of the caseload in one line."""
    click.echo(f"Demo accounts (also in {_credentials_path()}):")
    roles = dict(DEMO_ACCOUNTS)
    shown = {username for username, _ in STAFF} | set(PEOPLE[:PRINTED_PEOPLE])
    for username, password in passwords.items():
        if username in shown:
            click.echo(f"  {roles[username].value:<13} {username:<16} {password}")
    rest = [username for username in PEOPLE[PRINTED_PEOPLE:] if username in passwords]
    if rest:
        click.echo(
            f"  and {len(rest)} more people, {rest[0]} to {rest[-1]}: see the file for theirs"
        )


def _load_accounts(config: Mapping[str, Any]) -> dict[str, str]:
    """Create whatever demo accounts are missing and say so; returns every known password."""
    session = current_session()
    existing = session.scalar(sa.select(Service.id).where(Service.name == DEMO_SERVICE))
    created = load_demo_accounts(
        session,
        password_min_length=config["PASSWORD_MIN_LENGTH"],
        consent_version=config["RESEARCH_CONSENT_VERSION"],
    )
    session.commit()
    # A fresh load replaces the file; a later one adds whoever was missing to it.
    passwords = created if existing is None else {**_read_credentials(), **created}
    if created:
        passwords = _in_account_order(passwords)
        _write_credentials(passwords)
    if existing is None:
        click.echo("Loaded the demo service and accounts.")
    else:
        click.echo("Demo data is already loaded.")
        if created:
            click.echo(f"Added {len(created)} demo accounts that were missing.")
    return passwords


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo service and accounts (once) and print how to sign in."""
    config = current_app.config
    passwords = _load_accounts(config)
    # Every run: the check-ins are fixed changes, so a repeat stores nothing twice.
    statuses = _load_checkins()
    current_session().commit()
    click.echo(
        f"Demo check-ins: {statuses['applied']} stored, {statuses['duplicate']} already there."
    )
    # The peer worker's caseload and the history screens read summaries: compute them now
    # rather than at the scheduler's first run.
    summarised = refresh_person_summaries(
        JobContext(session=current_session(), config=config, now=utcnow())
    )
    click.echo(f"Person summaries: {summarised['people']} people.")
    _echo_accounts(passwords)


def _in_account_order(passwords: dict[str, str]) -> dict[str, str]:
    order = {username: index for index, (username, _) in enumerate(DEMO_ACCOUNTS)}
    return dict(sorted(passwords.items(), key=lambda pair: order.get(pair[0], len(order))))


def init_app(app: Flask) -> None:
    """Register ``demo``."""
    app.cli.add_command(demo_command)
