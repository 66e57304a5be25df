"""Key-encryption keys: loading the key ring at start-up and refusing to run without one."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from server import crypto, sealing
from server.database import READ_ONLY
from server.extensions import db
from server.keys.models import UserKey

KEY_FILE = "keys.json"
EXTENSION = "alongside.keyring"


def load_keyring(app: Flask) -> crypto.KeyRing:
    """``ALONGSIDE_KEYS`` when set, else the instance key file (created on first run)."""
    spec = app.config["KEYS"]
    current = app.config["KEYS_CURRENT"] or None
    if spec:
        return crypto.KeyRing.parse(spec, current)
    ring = crypto.load_or_create_key_file(Path(app.instance_path) / KEY_FILE)
    return crypto.KeyRing(ring.keys, current) if current else ring


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
    """The key ring this app was started with."""
    ring: crypto.KeyRing = app.extensions[EXTENSION]
    return ring


def init_app(app: Flask) -> None:
    """Load the key ring, check it against the database, and hand it to the sealing layer."""
    ring = load_keyring(app)
    with app.app_context():
        try:
            check_keyring(ring, db.engine)
        except crypto.MissingKeyError:
            db.engine.dispose()  # the process is about to stop: leave no connection behind
            raise
        sealing.register_keyring(db.engine, ring)
    app.extensions[EXTENSION] = ring
