"""Erasure: a person's account and data removed, their data key destroyed (DESIGN.md §5)."""

from __future__ import annotations

from flask import Flask

from server.erasure import cli, routes
from server.extensions import api


def init_app(app: Flask) -> None:
    """Register the self-erasure route and ``alongside erase-user``."""
    api.register_blueprint(routes.erasure_blp)
    app.cli.add_command(cli.erase_user_command)
