"""Browsable API docs at ``/api/docs``, from Swagger UI files installed with the app (no CDN)."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Flask, Response, send_from_directory

HERE = Path(__file__).parent
SWAGGER_UI_DIR = Path(swagger_ui_bundle.swagger_ui_path)
blueprint = Blueprint("api_docs", __name__, url_prefix="/api/docs")


@blueprint.get("")
@blueprint.get("/")
def docs_page() -> Response:
    """The Swagger UI page for ``/api/openapi.json``."""
    return send_from_directory(HERE / "static", "index.html", max_age=0)


@blueprint.get("/init.js")
def docs_init() -> Response:
    """Starts Swagger UI; a file, not inline, so the page keeps a strict script policy."""
    return send_from_directory(HERE / "static", "init.js", max_age=0)


@blueprint.get("/assets/<path:filename>")
def docs_asset(filename: str) -> Response:
    """Swagger UI's own scripts and styles."""
    return send_from_directory(SWAGGER_UI_DIR, filename, max_age=3600)


def init_app(app: Flask) -> None:
    """Register the docs page."""
    app.register_blueprint(blueprint)
