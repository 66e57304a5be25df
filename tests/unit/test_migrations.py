"""The migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from server import create_app
from server.extensions import db
from tests.support.databases import fresh_database


def schema_differences(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def table_names(app):
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_matches_models_then_downgrade_and_upgrade_again(backend_ready, tmp_path):
    with fresh_database(backend_ready, tmp_path) as database:
        app = create_app(
            {"DATABASE_URL": database.url, "TESTING": True},
            environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
        )
        try:
            with app.app_context():
                upgrade()
            assert schema_differences(app) == []
            assert "audit_log" in table_names(app)

            with app.app_context():
                downgrade(revision="base")
            assert table_names(app) <= {"alembic_version"}

            with app.app_context():
                upgrade()
            assert schema_differences(app) == []
        finally:
            with app.app_context():
                db.engine.dispose()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'a.sqlite3'}"},
        environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
    )
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
