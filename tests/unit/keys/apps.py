"""A fixture for apps on a committed database of the test's own, keyed by file or environment."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server import create_app
from server.extensions import db
from tests.support.databases import TestDatabase


def env_spec(*versions: int) -> str:
    """An ALONGSIDE_KEYS value whose version ``v`` is 32 bytes of ``v``."""
    return ",".join(f"{v}:{base64.b64encode(bytes([v]) * 32).decode()}" for v in versions)


@pytest.fixture
def keyed_app(committed_database: TestDatabase, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps (think: processes) on one database and instance folder; KEYS="" uses the file."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        config = {"TESTING": True, "DATABASE_URL": committed_database.url, "KEYS": ""}
        environ = {"ALONGSIDE_INSTANCE_PATH": str(tmp_path)}
        app = create_app({**config, **overrides}, environ=environ)
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()
