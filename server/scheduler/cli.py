"""``alongside scheduler`` (the production scheduler process) and ``alongside aggregate``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from server.scheduler.jobs import run_job
from server.scheduler.process import build_scheduler
from server.scheduler.registry import JOBS


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduler in the foreground (one process; more are safe but redundant)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    scheduler = build_scheduler(app, background=False)
    click.echo("Scheduler running: " + ", ".join(spec.name for spec in JOBS) + ". Ctrl-C stops.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


@click.command("aggregate")
@click.option("--job", "only", multiple=True, help="Run only this job (repeatable).")
@with_appcontext
def aggregate_command(only: tuple[str, ...]) -> None:
    """Run every scheduled job once now, showing progress."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    unknown = set(only) - {spec.name for spec in JOBS}
    if unknown:
        raise click.BadParameter(
            f"unknown job(s): {', '.join(sorted(unknown))}", param_hint="--job"
        )
    failed = False
    for spec in JOBS:
        if only and spec.name not in only:
            continue
        with click.progressbar(length=1, label=spec.name.ljust(18), show_pos=True) as bar:

            def progress(done: int, total: int, bar=bar) -> None:
                bar.length = max(total, 1)
                bar.update(done - bar.pos)

            outcome = run_job(app, spec.name, spec.function, progress=progress)
        counts = ", ".join(f"{key} {value}" for key, value in outcome.stats.items())
        click.echo(f"  {outcome.status}{': ' + counts if counts else ''}")
        failed = failed or outcome.status == "failed"
    if failed:
        raise SystemExit(1)
