"""Key-encryption keys: loading the key ring at start-up and refusing to run without one."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from server import crypto, sealing
from server.database import READ_ONLY
from server.extensions import db
from server.keys.cli import keys_group
from server.keys.models import UserKey
from server.keys.source import KEY_FILE, KeyFileSource, app_key_source

__all__ = ["KEY_FILE", "app_key_source", "check_keyring", "current_keyring", "init_app"]

EXTENSION = "alongside.keyring"


def stored_kek_versions(engine: sa.Engine) -> set[int]:
    """Every KEK version that wraps a stored data key (empty before the first migration)."""
    with engine.connect().execution_options(**READ_ONLY) as connection:
        if not sa.inspect(connection).has_table(UserKey.__tablename__):
            return set()
        return set(connection.scalars(sa.select(UserKey.kek_version).distinct()))


def check_keyring(ring: crypto.KeyRing, engine: sa.Engine) -> None:
    """Fail loudly, naming the version, if stored data needs a key this process lacks."""
    for version in sorted(stored_kek_versions(engine)):
        ring.kek(version)


def current_keyring(app: Flask) -> crypto.KeyRing:
    """The key ring this app holds now (re-read when another process rotates the key file)."""
    live: sealing.LiveKeyRing = app.extensions[EXTENSION]
    return live.refresh()


def init_app(app: Flask) -> None:
    """Load the key ring, check it against the database, and hand it to the sealing layer."""
    source = app_key_source(app)
    if isinstance(source, KeyFileSource):
        source.load_or_create()
    live = sealing.LiveKeyRing(source)
    with app.app_context():
        try:
            check_keyring(live.ring, db.engine)
        except crypto.MissingKeyError:
            db.engine.dispose()  # the process is about to stop: leave no connection behind
            raise
        sealing.register_keyring(db.engine, live)
    app.extensions[EXTENSION] = live
    app.cli.add_command(keys_group)
