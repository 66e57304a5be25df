"""Peer worker views: caseload, shared summaries and shared check-ins (DESIGN.md sections 6, 8)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the peer worker routes."""
    from server.extensions import api
    from server.peer.routes import blueprint

    api.register_blueprint(blueprint)
