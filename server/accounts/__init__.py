"""Accounts: roles, sign-in, invites, peer links and consents."""

from __future__ import annotations

from flask import Flask

from server.accounts import cli, routes
from server.extensions import api


def init_app(app: Flask) -> None:
    """Register routes and commands."""
    for blueprint in routes.BLUEPRINTS:
        api.register_blueprint(blueprint)
    cli.register(app)
