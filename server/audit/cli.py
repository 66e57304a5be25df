"""``alongside audit verify``: check the hash chain and name the first broken row."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from server.audit.service import verify_chain
from server.extensions import current_session

audit_group = AppGroup("audit", help="Inspect the audit log.")


@audit_group.command("verify")
def verify_command() -> None:
    """Verify every row's hash and link; exit 1 at the first broken row."""
    report = verify_chain(current_session())
    if report.intact:
        click.echo(f"Audit chain intact: {report.checked} rows verified.")
        return
    click.echo(
        f"Audit chain broken at row {report.first_broken_seq}: {report.reason} "
        f"({report.checked} rows verified before it).",
        err=True,
    )
    raise SystemExit(1)
