"""GET /api/v1/me/export: a service user downloads all their own data, and it is audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.accounts.models import Role
from server.audit.models import AuditEvent
from tests.support.api import sign_in
from tests.support.checkins import DEVICE, PUSH, WHO5_ANSWERS, checkin_data, delete, push_body, put
from tests.support.factories import make_service_user, make_user

EXPORT = "/api/v1/me/export"


def test_the_export_holds_the_account_consents_and_every_live_checkin(person, session):
    person.put("/api/v1/me/consents/research", json={"granted": True})
    kept = put(data=checkin_data(note="only mine to read", shared=True))
    who5 = put(
        data=checkin_data(responses=[{"instrument": "who5", "version": 1, "answers": WHO5_ANSWERS}])
    )
    gone = put()
    assert person.post(PUSH, json=push_body(kept, who5, gone)).status_code == 200
    assert person.post(PUSH, json=push_body(delete(gone["id"], base_rev=1))).status_code == 200

    response = person.get(EXPORT)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="alongside-export-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["format"] == "alongside-export/1"
    assert body["account"]["username"] == person.user.username
    assert body["account"]["role"] == "service_user"
    assert [c["kind"] for c in body["consents"]] == ["research"]
    exported = {c["id"]: c for c in body["checkins"]}
    assert set(exported) == {kept["id"], who5["id"]}  # the deleted one is gone
    assert exported[kept["id"]]["data"]["note"] == "only mine to read"
    assert exported[kept["id"]]["data"]["shared"] is True
    assert exported[kept["id"]]["device_id"] == DEVICE
    assert exported[who5["id"]]["scores"]["who5@1"]["wellbeing"]["raw"] == 15.0
    assert "effective_at" in exported[who5["id"]]


def test_each_export_is_audited_without_content(person, session):
    person.post(PUSH, json=push_body(put(data=checkin_data(note="secret words"))))
    assert person.get(EXPORT).status_code == 200
    event = session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "checkins.export")
    ).one()
    assert (event.actor_id, event.subject_id) == (person.user.id, person.user.id)
    assert event.details == {"checkins": 1}
    assert "secret" not in str(event.details)


def test_an_export_holds_only_the_persons_own_checkins(person, client, session):
    other = make_service_user(session)
    session.commit()
    someone = sign_in(client, other.username)
    someone.post(PUSH, json=push_body(put(data=checkin_data(note="theirs"))))
    assert person.get(EXPORT).get_json()["checkins"] == []


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.RESEARCHER, Role.ADMIN])
def test_staff_have_no_checkin_export(client, session, role):
    staff = make_user(session, role)
    session.commit()
    assert sign_in(client, staff.username).get(EXPORT).status_code == 403


def test_signed_out_export_is_401(client):
    assert client.get(EXPORT).status_code == 401
