"""``alongside create-service`` and ``alongside create-user``: services and staff accounts."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from server.accounts import service
from server.accounts.models import Role
from server.audit import service as audit
from server.audit.service import SYSTEM
from server.clock import utcnow
from server.errors import AlongsideError
from server.extensions import current_session

STAFF_ROLE_CHOICES = [Role.ADMIN.value, Role.PEER_WORKER.value, Role.RESEARCHER.value]


@click.command("create-service")
@with_appcontext
@click.argument("name")
def create_service_command(name: str) -> None:
    """Create a service (an organisation offering peer support)."""
    now = utcnow()
    try:
        created = service.create_service(current_session(), name=name, now=now)
        audit.record(
            current_session(),
            actor=SYSTEM,
            action="admin.service.create",
            subject_id=created.id,
            now=now,
        )
        current_session().commit()
    except AlongsideError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created service {created.name!r} ({created.id}).")


@click.command("create-user")
@with_appcontext
@click.option("--role", type=click.Choice(STAFF_ROLE_CHOICES), required=True)
@click.option("--username", required=True)
@click.option("--service", "service_name", help="The service a peer worker belongs to.")
@click.option(
    "--password-stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (keeps it out of shell history).",
)
def create_user_command(
    role: str, username: str, service_name: str | None, password_stdin: bool
) -> None:
    """Create a staff account. Service users join with a peer worker's invite instead."""
    password = sys.stdin.readline().rstrip("\r\n")
    now = utcnow()
    try:
        service_id = (
            service.find_service(current_session(), service_name).id if service_name else None
        )
        user = service.create_user(
            current_session(),
            role=Role(role),
            username=username,
            password=password,
            service_id=service_id,
            password_min_length=current_app.config["PASSWORD_MIN_LENGTH"],
            now=now,
        )
        audit.record(
            current_session(),
            actor=SYSTEM,
            action="admin.user.create",
            subject_id=user.id,
            now=now,
            details={"role": role},
        )
        current_session().commit()
    except AlongsideError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Created {role} {user.username!r} ({user.id}).")


def register(app: Flask) -> None:
    """Add the account commands to ``alongside`` / ``flask``."""
    app.cli.add_command(create_service_command)
    app.cli.add_command(create_user_command)
