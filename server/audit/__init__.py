"""The append-only, hash-chained audit log."""

from __future__ import annotations

from flask import Flask

from server.audit.cli import audit_group


def init_app(app: Flask) -> None:
    """Register the audit commands."""
    app.cli.add_command(audit_group)
