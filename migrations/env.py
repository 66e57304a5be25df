"""Alembic environment for Alongside, run through Flask-Migrate (``alongside db ...``)."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy.engine import Connection

config = context.config
if config.config_file_name is not None:
    # Keep the app's and the tests' loggers working after migrating.
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_db = current_app.extensions["migrate"].db
target_metadata = target_db.metadata


def _skip_empty_autogenerate(context_, revision, directives):
    """Write no revision file when autogenerate finds nothing to change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        logger.info("No changes in schema detected.")


def _run(connection: Connection) -> None:
    configure_args = dict(current_app.extensions["migrate"].configure_args)
    configure_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    context.configure(connection=connection, target_metadata=target_metadata, **configure_args)
    with context.begin_transaction():
        context.run_migrations()


def _set_sqlite_foreign_keys(connection: Connection, enabled: bool) -> None:
    # Batch migrations copy and drop tables; with foreign keys on, SQLite would cascade the
    # drop into child rows. The pragma only takes effect outside a transaction, so it goes
    # straight to the driver connection.
    cursor = connection.connection.cursor()
    cursor.execute(f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}")
    cursor.close()


def run_migrations_online() -> None:
    engine = target_db.engine
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _set_sqlite_foreign_keys(connection, False)
        try:
            _run(connection)
            connection.commit()
        finally:
            if sqlite:
                _set_sqlite_foreign_keys(connection, True)


if context.is_offline_mode():
    raise SystemExit("Alongside migrations run online only: alongside db upgrade")
run_migrations_online()
