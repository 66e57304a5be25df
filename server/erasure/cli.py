"""``alongside erase-user USERNAME``: an administrator erases an account."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from server.audit.service import SYSTEM
from server.clock import utcnow
from server.erasure import service
from server.errors import AlongsideError
from server.extensions import current_session


@click.command("erase-user")
@with_appcontext
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_user_command(username: str, yes: bool) -> None:
    """Erase an account: destroy its data key, delete its rows. Cannot be undone."""
    session = current_session()
    try:
        user_id = service.find_user_id(session, username=username)
        if not yes:
            click.confirm(
                f"Erase {username!r} and all their data? This cannot be undone", abort=True
            )
        report = service.erase_user(session, user_id=user_id, by=SYSTEM, now=utcnow())
        session.commit()
    except AlongsideError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Erased the account (erasure id {report.erasure_id}).")
    click.echo(
        "Data key destroyed: their sealed data is unreadable everywhere."
        if report.data_key_destroyed
        else "They had no data key (nothing sealed)."
    )
    for table, count in report.rows.items():
        click.echo(f"  {table}: {count} row(s) deleted")
    click.echo(
        "Backups from before now still hold their wrapped key until its key version is "
        "retired: the erasure-rotation job does that, or run `alongside keys rotate --retire-old`."
    )
