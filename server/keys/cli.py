"""``alongside keys status|rotate|retire``: key-encryption keys, never their material."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from server import crypto, sealing
from server.clock import utcnow
from server.extensions import current_session
from server.keys import rotation
from server.keys.source import KeySource, app_key_source

keys_group = AppGroup("keys", help="Key-encryption keys: status, rotation and retirement.")

_ENV_HINT = (
    "ALONGSIDE_KEYS is read-only to Alongside. To rotate: add a new version to it "
    "(e.g. '{next}:<output of `openssl rand -base64 32`>,' in front of the others), restart "
    "every Alongside process, then run `alongside keys rotate` again to re-wrap onto it."
)


def _source_and_live() -> tuple[KeySource, sealing.LiveKeyRing]:
    return app_key_source(current_app), sealing.live_keyring_for(current_session())


def _removal_hint(versions: list[int]) -> str:
    listed = ", ".join(str(v) for v in versions)
    return (
        f"Nothing is wrapped by version(s) {listed} any more: remove them from ALONGSIDE_KEYS "
        "and restart every Alongside process, then destroy every copy of those keys."
    )


@keys_group.command("status")
def status_command() -> None:
    """Key versions, which is current, and how many data keys each wraps."""
    source, live = _source_and_live()
    ring = live.reload()
    session = current_session()
    counts = rotation.wrapped_counts(session)
    due = rotation.retirements_due(session)
    click.echo(f"Keys from {source.description}.")
    click.echo("version  data keys")
    for version in sorted(set(ring.versions) | set(counts)):
        notes = []
        if version == ring.current:
            notes.append("current")
        if version not in ring.keys:
            notes.append("MISSING")
        if version in due:
            notes.append(f"retirement due after an erasure since {due[version]:%Y-%m-%d %H:%M} UTC")
        click.echo(f"{version:>7}  {counts.get(version, 0):>9}  {', '.join(notes)}".rstrip())
    held_due = [version for version in due if version in ring.keys]
    if held_due:
        click.echo(
            "Pending retirement: version(s) "
            + ", ".join(str(v) for v in held_due)
            + " wrapped erased data keys; `alongside keys rotate --retire-old` retires them."
        )
        if not source.writable:
            click.echo(_ENV_HINT.format(next=max(ring.versions) + 1))


@keys_group.command("rotate")
@click.option("--retire-old", is_flag=True, help="Then retire every version but the new one.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=rotation.DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Data keys re-wrapped per committed batch.",
)
def rotate_command(retire_old: bool, batch_size: int) -> None:
    """Add a new current key and re-wrap every data key under it (resumable)."""
    source, live = _source_and_live()
    session = current_session()

    def progress(total: int) -> None:
        click.echo(f"  re-wrapped {total} data key(s)")

    try:
        report = rotation.rotate(
            session,
            source=source,
            live=live,
            now=utcnow(),
            batch_size=batch_size,
            retire="old" if retire_old else "none",
            after_batch=progress,
        )
    except crypto.KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    if report.added is not None:
        click.echo(f"Added key version {report.added} to {source.description}; it is current.")
    click.echo(f"Re-wrapped {report.rewrapped} data key(s) under version {report.current}.")
    for version in report.retired:
        click.echo(f"Retired key version {version}.")
    if report.removable:
        click.echo(_removal_hint(report.removable))
    if not source.writable and report.added is None and not report.rewrapped:
        click.echo(_ENV_HINT.format(next=max(live.ring.versions) + 1))


@keys_group.command("retire")
@click.argument("version", type=click.IntRange(min=1))
def retire_command(version: int) -> None:
    """Remove a key version; refused while it is current or still wraps a data key."""
    source, live = _source_and_live()
    try:
        removed = rotation.retire(current_session(), source=source, live=live, version=version)
    except crypto.KeyProblem as exc:
        raise click.ClickException(str(exc)) from None
    if removed:
        click.echo(f"Retired key version {version}: removed from {source.description}.")
    else:
        click.echo(_removal_hint([version]))
