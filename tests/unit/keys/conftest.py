"""Apps on a committed database of the test's own, with keys from a key file or the environment."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server import create_app
from server.extensions import db
from tests.support.databases import TestDatabase


@pytest.fixture
def keyed_app(committed_database: TestDatabase, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build apps (think: processes) on one database and instance folder; KEYS="" uses the file."""
    built: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        config = {"TESTING": True, "DATABASE_URL": committed_database.url, "KEYS": ""}
        app = create_app(
            {**config, **overrides}, environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)}
        )
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.engine.dispose()
