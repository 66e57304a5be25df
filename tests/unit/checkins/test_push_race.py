"""A check-in id taken by another person while a push is in flight: rejected, never a 500.

The push decides against what it read; the other person's insert commits just before its
own write. The database refuses the duplicate id, the push rolls back its savepoint,
decides again against what is now stored, and rejects that change alone.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy.orm import Session

from server import create_app
from server.accounts.actor import Actor
from server.accounts.models import Role
from server.checkins.models import Checkin
from server.checkins.push import ID_TAKEN, push_changes
from server.clock import utcnow
from server.extensions import db
from server.instruments import current_registry
from tests.conftest import TEST_KEYS
from tests.support.checkins import new_id, push_body, put
from tests.support.factories import make_service_user

pytestmark = pytest.mark.postgresql_only


def test_an_id_taken_mid_push_rejects_that_change_and_keeps_the_rest(
    skip_unless_postgresql, committed_database, tmp_path
):
    app = create_app(
        {"DATABASE_URL": committed_database.url, "KEYS": TEST_KEYS, "TESTING": True},
        environ={"ALONGSIDE_INSTANCE_PATH": str(tmp_path)},
    )
    with app.app_context():
        engine, registry = db.engine, current_registry()
        with Session(engine) as setup:
            first_person, second_person = make_service_user(setup), make_service_user(setup)
            setup.commit()
            actors = [
                Actor(p.id, Role.SERVICE_USER, p.service_id) for p in (first_person, second_person)
            ]
        contested, other = put(), put()
        holder, latecomer = Session(engine), Session(engine)
        try:
            push_changes(
                holder, actor=actors[0], body=push_body(contested), registry=registry, now=utcnow()
            )
            outcome = {}

            def push_late() -> None:
                body = push_body({**contested, "change_id": new_id()}, other)
                outcome["results"] = push_changes(
                    latecomer, actor=actors[1], body=body, registry=registry, now=utcnow()
                ).results
                latecomer.commit()

            thread = threading.Thread(target=push_late)
            thread.start()
            time.sleep(1.0)
            assert thread.is_alive()  # its insert waits on the first person's uncommitted row
            holder.commit()
            thread.join(timeout=30)
            assert [r["status"] for r in outcome["results"]] == ["rejected", "applied"]
            assert outcome["results"][0]["errors"] == ID_TAKEN
            with Session(engine) as check:
                owner = check.get(Checkin, uuid.UUID(contested["id"])).user_id
                assert owner == actors[0].user_id
                assert check.get(Checkin, uuid.UUID(other["id"])).user_id == actors[1].user_id
        finally:
            holder.close()
            latecomer.close()
            engine.dispose()
