"""``alongside export --out DIR``: write the research exports as files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from server.audit import service as audit
from server.audit.service import SYSTEM
from server.clock import utcnow
from server.extensions import current_session
from server.instruments import current_registry
from server.research import service
from server.research.periods import Granularity


@click.command("export")
@click.option(
    "--out",
    "directory",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write into (created if missing).",
)
@click.option(
    "--period",
    "periods",
    type=click.Choice(["week", "month"]),
    multiple=True,
    help="week and/or month (default: both).",
)
@with_appcontext
def export_command(directory: Path, periods: tuple[Granularity, ...]) -> None:
    """Write fresh research exports: CSV and JSON tables, codebook and manifest per period."""
    config = current_app.config
    session = current_session()
    now = utcnow()
    exports = service.compute_exports(
        session,
        granularities=periods or service.GRANULARITIES,
        k=config["RESEARCH_MIN_CELL"],
        registry=current_registry(),
        consent_version=config["RESEARCH_CONSENT_VERSION"],
        now=now,
    )
    for granularity, export in exports.items():
        for path in export.write(directory):
            click.echo(str(path))
        audit.record(
            session,
            actor=SYSTEM,
            action="research.export",
            now=now,
            details={"period": granularity, "format": "files", "source": "computed"},
        )
        session.commit()
