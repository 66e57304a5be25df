"""Key-encryption keys: where they come from, and refusing to start without the right one."""

from __future__ import annotations

import base64
import stat

import pytest
import sqlalchemy as sa

from server import create_app, crypto
from server.accounts.models import Role, User
from server.extensions import db
from tests.support.databases import fresh_database, migrate_to_head
from tests.support.factories import make_user


def key_spec(*versions):
    return ",".join(f"{v}:{base64.b64encode(bytes([v]) * 32).decode()}" for v in versions)


def test_env_keys_newest_is_current_unless_named():
    assert crypto.KeyRing.parse(key_spec(1, 2)).current == 2
    assert crypto.KeyRing.parse(key_spec(1, 2), current=1).current == 1


@pytest.mark.parametrize(
    "spec", ["", "1", "one:AAAA", "1:not base64!", "1:" + base64.b64encode(b"short").decode()]
)
def test_malformed_keys_are_refused_without_echoing_them(spec):
    with pytest.raises(crypto.KeyProblem) as raised:
        crypto.KeyRing.parse(spec)
    assert "not base64" not in str(raised.value)


def test_the_key_file_is_created_once_with_mode_0600(tmp_path):
    path = tmp_path / "keys.json"
    first = crypto.load_or_create_key_file(path)
    second = crypto.load_or_create_key_file(path)
    assert first == second
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "keys.json"
    crypto.load_or_create_key_file(path)
    path.chmod(0o644)
    with pytest.raises(crypto.KeyProblem, match="chmod 600"):
        crypto.load_or_create_key_file(path)


def test_a_missing_version_is_named_and_no_key_is_shown():
    ring = crypto.KeyRing.parse(key_spec(2))
    with pytest.raises(crypto.MissingKeyError) as raised:
        ring.kek(1)
    message = str(raised.value)
    assert "version 1" in message
    assert base64.b64encode(bytes([2]) * 32).decode() not in message


def test_the_app_refuses_to_start_without_the_key_that_wrapped_stored_data(backend_ready, tmp_path):
    with fresh_database(backend_ready, tmp_path) as database:
        migrate_to_head(database.url, tmp_path)
        environ = {"ALONGSIDE_INSTANCE_PATH": str(tmp_path)}
        first = create_app({"DATABASE_URL": database.url, "KEYS": key_spec(1)}, environ=environ)
        with first.app_context():
            user = make_user(db.session, Role.RESEARCHER, username="rae")
            user.display_name = "Rae"
            db.session.commit()
            db.engine.dispose()

        with pytest.raises(crypto.MissingKeyError, match="key version 1 is not configured"):
            create_app({"DATABASE_URL": database.url, "KEYS": key_spec(2)}, environ=environ)

        # With the old key present for reading, the app starts and the name opens.
        both = create_app({"DATABASE_URL": database.url, "KEYS": key_spec(1, 2)}, environ=environ)
        with both.app_context():
            assert db.session.scalar(sa.select(User)).display_name == "Rae"
            db.session.remove()
            db.engine.dispose()


def test_rewriting_the_key_file_replaces_it_whole_and_leaves_no_temporary_files(tmp_path):
    path = tmp_path / "keys.json"
    ring = crypto.load_or_create_key_file(path)
    rotated = ring.with_new_key()
    crypto.write_key_file(path, rotated)
    assert crypto.read_key_file(path) == rotated
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_worker_starting_after_another_created_the_key_file_uses_that_key(tmp_path):
    path = tmp_path / "keys.json"
    first = crypto.load_or_create_key_file(path)
    # A second worker that also found no file a moment ago must not replace the first's key.
    assert crypto.load_or_create_key_file(path) == first
    assert [p.name for p in tmp_path.iterdir()] == ["keys.json"]
