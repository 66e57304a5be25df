"""``alongside demo``: a small demo service with staff and three people, loaded once."""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path

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
from server.clock import utcnow
from server.extensions import current_session
from server.instruments import current_registry
from server.scheduler.jobs import JobContext

DEMO_SERVICE = "Riverside Peer Support (demo)"
CREDENTIALS_FILE = "demo-accounts.txt"
DEMO_ACCOUNTS: tuple[tuple[str, Role], ...] = (
    ("demo-admin", Role.ADMIN),
    ("demo-peer", Role.PEER_WORKER),
    ("demo-alex", Role.SERVICE_USER),
    ("demo-bea", Role.SERVICE_USER),
    ("demo-cal", Role.SERVICE_USER),
    ("demo-researcher", Role.RESEARCHER),
)
# Two of the three people have given research consent, so exports have something to show.
CONSENTING = ("demo-alex", "demo-bea")


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


def load_demo_accounts(
    session: Session, *, password_min_length: int, consent_version: str
) -> dict[str, str]:
    """Create the demo service and accounts; returns each username's new password."""
    now = utcnow()
    demo_service = service.create_service(session, name=DEMO_SERVICE, now=now)
    passwords: dict[str, str] = {}
    users: dict[str, User] = {}
    for username, role in DEMO_ACCOUNTS:
        passwords[username] = secrets.token_urlsafe(9)
        users[username] = service.create_user(
            session,
            role=role,
            username=username,
            password=passwords[username],
            service_id=demo_service.id if role in (Role.PEER_WORKER, Role.SERVICE_USER) else None,
            password_min_length=password_min_length,
            now=now,
        )
    for username, role in DEMO_ACCOUNTS:
        if role is Role.SERVICE_USER:
            service.link_to_peer_worker(
                session, service_user=users[username], peer_worker=users["demo-peer"], now=now
            )
    for username in CONSENTING:
        actor = Actor(users[username].id, Role.SERVICE_USER, demo_service.id)
        service.set_research_consent(
            session, actor=actor, granted=True, version=consent_version, now=now
        )
    audit.record(
        session, actor=SYSTEM, action="admin.demo.load", subject_id=demo_service.id, now=now
    )
    return passwords


def _load_checkins() -> Counter[str]:
    """8-12 weeks of check-ins for each demo person, through the real push path."""
    session = current_session()
    demo_service = session.scalars(sa.select(Service).where(Service.name == DEMO_SERVICE)).one()
    usernames = [username for username, role in DEMO_ACCOUNTS if role is Role.SERVICE_USER]
    people = list(session.scalars(sa.select(User).where(User.username.in_(usernames))))
    return load_demo_checkins(
        session,
        people=sorted(people, key=lambda person: person.username),
        anchor=demo_service.created_at,
        registry=current_registry(),
        now=utcnow(),
    )


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo service and accounts (once) and print how to sign in."""
    config = current_app.config
    existing = current_session().scalar(sa.select(Service.id).where(Service.name == DEMO_SERVICE))
    if existing is None:
        passwords = load_demo_accounts(
            current_session(),
            password_min_length=config["PASSWORD_MIN_LENGTH"],
            consent_version=config["RESEARCH_CONSENT_VERSION"],
        )
        current_session().commit()
        _write_credentials(passwords)
        click.echo("Loaded the demo service and accounts.")
    else:
        passwords = _read_credentials()
        click.echo("Demo data is already loaded.")
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
    click.echo(f"Demo accounts (also in {_credentials_path()}):")
    roles = dict(DEMO_ACCOUNTS)
    for username, password in passwords.items():
        click.echo(f"  {roles[username].value:<13} {username:<16} {password}")


def init_app(app: Flask) -> None:
    """Register ``demo``."""
    app.cli.add_command(demo_command)
