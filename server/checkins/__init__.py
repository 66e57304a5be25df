"""Check-ins and the sync endpoints that move them (DESIGN.md §4, sync/PROTOCOL.md)."""

from __future__ import annotations

from flask import Flask

from server.checkins import models  # noqa: F401  (the tables, for migrations)


def init_app(app: Flask) -> None:
    """Register the sync and export routes."""
    from server.checkins import routes
    from server.extensions import api

    for blueprint in routes.BLUEPRINTS:
        api.register_blueprint(blueprint)
