"""``GET /healthz``: is the app up and can it reach its database."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from server.extensions import db

log = logging.getLogger(__name__)
blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 when it does not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        db.session.rollback()
    except SQLAlchemyError as exc:
        log.warning("health check: database unreachable (%s)", type(exc).__name__)
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


def init_app(app: Flask) -> None:
    """Register the health check."""
    app.register_blueprint(blueprint)
