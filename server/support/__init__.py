"""Help contacts, always one tap away: each service's, or the national defaults (DESIGN.md §11)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the help contacts route."""
    from server.extensions import api
    from server.support.routes import blueprint

    api.register_blueprint(blueprint)
