"""Alongside's Flask server: ``create_app`` builds it; nothing happens at import."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def create_app(
    overrides: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None
) -> Flask:
    """Build the app: defaults, instance folder, ``ALONGSIDE_*`` variables, then ``overrides``."""
    from server import config, database, errors, features, http_security
    from server.extensions import api, db, migrate

    environ = config.process_environ() if environ is None else environ
    app = Flask(
        __name__,
        instance_path=config.instance_path_from_environ(environ),
        instance_relative_config=True,
        static_folder=None,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.configure(app, overrides, environ)
    app.config.update(API_SETTINGS)
    app.json.sort_keys = False  # type: ignore[attr-defined]

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    api.init_app(app)
    errors.init_app(app)
    http_security.init_app(app)
    for feature in features.FEATURES:
        feature.init_app(app)
    if app.config["TRUSTED_PROXY_COUNT"]:
        count = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]
    return app


API_SETTINGS: dict[str, Any] = {
    "API_TITLE": "Alongside",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    # The docs page is served by server.api_docs from local files: no CDN on a closed network.
    "OPENAPI_SWAGGER_UI_PATH": None,
    "OPENAPI_REDOC_PATH": None,
    "OPENAPI_RAPIDOC_PATH": None,
}
