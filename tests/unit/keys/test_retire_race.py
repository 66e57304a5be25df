"""Retirement waits for a process that is wrapping a new data key, then sees its key."""

from __future__ import annotations

import json
import threading
import time

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server import crypto, sealing
from server.accounts.models import Role
from server.clock import utcnow
from server.extensions import db
from server.keys.models import UserKey
from tests.support.factories import make_user


def test_a_retirement_cannot_strand_a_key_wrapped_by_a_process_with_a_stale_ring(
    skip_unless_postgresql, keyed_app, tmp_path
):
    app = keyed_app()
    with app.app_context():
        person = make_user(db.session, Role.RESEARCHER, username="late-key")  # no key yet
        person_id = person.id
        db.session.commit()
        db.session.remove()
    assert app.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0  # 2 current
    ring = crypto.read_key_file(tmp_path / "keys.json")
    stale = crypto.KeyRing(ring.keys, 1)  # what a process that read the file earlier holds

    outcome = {}
    with app.app_context():
        writer = Session(db.engine)
        sealing.hold_key_table(writer)  # what SessionKeys does before wrapping a new key
        version, wrapped = crypto.wrap_data_key(
            stale, user_id=person_id, data_key=crypto.new_data_key()
        )
        writer.add(
            UserKey(
                user_id=person_id,
                generation=1,
                kek_version=version,
                wrapped_key=wrapped,
                created_at=utcnow(),
            )
        )
        writer.flush()

        def retire():
            outcome["result"] = app.test_cli_runner().invoke(args=["keys", "retire", "1"])

        retiring = threading.Thread(target=retire)
        retiring.start()
        time.sleep(1.0)
        assert retiring.is_alive(), "retirement did not wait for the writer's lock"
        writer.commit()
        writer.close()
        retiring.join(timeout=30)

    result = outcome["result"]
    assert result.exit_code != 0
    assert "still wraps 1 data key(s)" in result.output
    assert sorted(json.loads((tmp_path / "keys.json").read_text())["keys"]) == ["1", "2"]
    with app.app_context():
        assert db.session.scalar(sa.select(UserKey.kek_version)) == 1
        db.session.remove()
