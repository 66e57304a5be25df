"""Scheduled jobs: aggregation, housekeeping and key rotation, one instance at a time."""

from __future__ import annotations

import atexit

from flask import Flask

from server.scheduler.cli import aggregate_command, scheduler_command
from server.scheduler.process import build_scheduler


def init_app(app: Flask) -> None:
    """Register the commands; with SCHEDULER_IN_APP (``make run``), start it inside the app."""
    app.cli.add_command(scheduler_command)
    app.cli.add_command(aggregate_command)
    if app.config["SCHEDULER_IN_APP"] and not app.testing:
        scheduler = build_scheduler(app, background=True)
        scheduler.start()
        atexit.register(lambda: scheduler.shutdown(wait=False))
