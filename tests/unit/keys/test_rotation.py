"""``alongside keys status|rotate|retire`` on a real key file, and picking up rotations live."""

from __future__ import annotations

import base64
import json
import stat

import pytest
import sqlalchemy as sa

from server import crypto, sealing
from server.accounts.models import Role, User
from server.clock import utcnow
from server.extensions import db
from server.keys import rotation
from server.keys.source import app_key_source
from tests.support.factories import make_user
from tests.unit.keys.apps import env_spec


def add_people(app, count, prefix="person"):
    with app.app_context():
        for index in range(count):
            user = make_user(db.session, Role.RESEARCHER, username=f"{prefix}{index}")
            user.display_name = f"{prefix.title()} {index}"
        db.session.commit()


def names(app):
    with app.app_context():
        db.session.info.clear()
        found = {user.username: user.display_name for user in db.session.scalars(sa.select(User))}
        db.session.remove()
        return found


def versions_in_use(app):
    with app.app_context():
        counts = rotation.wrapped_counts(db.session)
        db.session.remove()
        return counts


def key_file(tmp_path):
    return json.loads((tmp_path / "keys.json").read_text())


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_status_shows_versions_and_counts_but_no_key_material(keyed_app, tmp_path):
    app = keyed_app()
    add_people(app, 3)
    result = cli(app, "keys", "status")
    assert result.exit_code == 0, result.output
    assert "      1          3  current" in result.output
    for encoded in key_file(tmp_path)["keys"].values():
        assert encoded not in result.output
        assert encoded[:12] not in result.output


def test_rotate_adds_a_current_key_and_rewraps_every_data_key(keyed_app, tmp_path):
    app = keyed_app()
    add_people(app, 5)
    before = names(app)

    result = cli(app, "keys", "rotate", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert "Added key version 2" in result.output
    assert "Re-wrapped 5 data key(s) under version 2" in result.output
    assert key_file(tmp_path)["current"] == 2
    assert sorted(key_file(tmp_path)["keys"]) == ["1", "2"]
    assert stat.S_IMODE((tmp_path / "keys.json").stat().st_mode) == 0o600
    assert versions_in_use(app) == {2: 5}
    # A process started afterwards reads everything with the new key file.
    assert names(keyed_app()) == before


def test_an_interrupted_rotation_finishes_when_run_again_and_loses_nothing(keyed_app, tmp_path):
    app = keyed_app()
    add_people(app, 5)
    before = names(app)

    def interrupt(_total):
        raise KeyboardInterrupt

    with app.app_context(), pytest.raises(KeyboardInterrupt):
        rotation.rotate(
            db.session,
            source=app_key_source(app),
            live=sealing.live_keyring_for(db.session),
            now=utcnow(),
            batch_size=2,
            after_batch=interrupt,
        )
    assert versions_in_use(app) == {1: 3, 2: 2}  # one batch committed, then stopped
    assert names(keyed_app()) == before  # half-rotated data still opens

    result = cli(app, "keys", "rotate", "--batch-size", "2")

    assert result.exit_code == 0, result.output
    assert "Added key version" not in result.output  # it finished the interrupted rotation
    assert versions_in_use(app) == {2: 5}
    assert key_file(tmp_path)["current"] == 2
    assert names(keyed_app()) == before


def test_retire_refuses_the_current_version_and_any_version_still_in_use(keyed_app, tmp_path):
    app = keyed_app()
    add_people(app, 2)
    refused = cli(app, "keys", "retire", "1")
    assert refused.exit_code != 0
    assert "current" in refused.output

    with app.app_context():
        ring = crypto.KeyRing.from_file_text((tmp_path / "keys.json").read_text(), source="file")
        crypto.write_key_file(
            tmp_path / "keys.json", ring.with_new_key()
        )  # 2 current, nothing moved
    refused = cli(app, "keys", "retire", "1")
    assert refused.exit_code != 0
    assert "still wraps 2 data key(s)" in refused.output
    assert sorted(key_file(tmp_path)["keys"]) == ["1", "2"]

    assert cli(app, "keys", "rotate").exit_code == 0  # finishes onto version 2, adds nothing
    retired = cli(app, "keys", "retire", "1")
    assert retired.exit_code == 0, retired.output
    assert sorted(key_file(tmp_path)["keys"]) == ["2"]
    assert cli(app, "keys", "retire", "7").exit_code != 0


def test_rotate_with_retire_old_leaves_only_the_new_key(keyed_app, tmp_path):
    app = keyed_app()
    add_people(app, 3)
    before = names(app)
    assert cli(app, "keys", "rotate").exit_code == 0
    result = cli(app, "keys", "rotate", "--retire-old")
    assert result.exit_code == 0, result.output
    assert "Retired key version 1." in result.output
    assert "Retired key version 2." in result.output
    assert key_file(tmp_path) | {"keys": sorted(key_file(tmp_path)["keys"])} == {
        "current": 3,
        "keys": ["3"],
    }
    assert names(keyed_app()) == before


def test_another_process_picks_up_a_rotated_key_file_without_restarting(keyed_app):
    running = keyed_app()
    add_people(running, 2, prefix="early")
    operator = keyed_app()
    assert cli(operator, "keys", "rotate", "--retire-old").exit_code == 0

    # The running app never saw version 2 at start-up, and version 1 is gone from the file.
    add_people(running, 1, prefix="late")
    assert versions_in_use(running) == {2: 3}
    assert names(running) == {"early0": "Early 0", "early1": "Early 1", "late0": "Late 0"}


def test_with_environment_keys_rotate_rewraps_onto_the_current_version_and_advises(keyed_app):
    first = keyed_app(KEYS=env_spec(1))
    add_people(first, 3)
    before = names(first)

    nothing_to_do = cli(first, "keys", "rotate")
    assert nothing_to_do.exit_code == 0, nothing_to_do.output
    assert "add a new version" in nothing_to_do.output
    assert "'2:<output of `openssl rand -base64 32`>," in nothing_to_do.output

    rolled_out = keyed_app(KEYS=env_spec(1, 2))  # the operator added version 2 and restarted
    result = cli(rolled_out, "keys", "rotate", "--retire-old")
    assert result.exit_code == 0, result.output
    assert "Re-wrapped 3 data key(s) under version 2" in result.output
    assert "remove them from ALONGSIDE_KEYS" in result.output
    assert versions_in_use(rolled_out) == {2: 3}
    assert names(keyed_app(KEYS=env_spec(2))) == before
    for version in (1, 2):
        assert base64.b64encode(bytes([version]) * 32).decode() not in result.output


def test_with_environment_keys_retire_checks_and_tells_the_operator_to_remove_it(keyed_app):
    app = keyed_app(KEYS=env_spec(1, 2))
    add_people(app, 2)  # wrapped under 2, the newest
    refused = cli(app, "keys", "retire", "2")
    assert refused.exit_code != 0
    assert "current" in refused.output
    allowed = cli(app, "keys", "retire", "1")
    assert allowed.exit_code == 0, allowed.output
    assert "remove them from ALONGSIDE_KEYS" in allowed.output
    status = cli(app, "keys", "status").output
    assert "Keys from ALONGSIDE_KEYS." in status
    assert "      2          2  current" in status
