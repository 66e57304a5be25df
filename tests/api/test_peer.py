"""Peer worker views: who may read what (role x endpoint x ownership), flags, shared-only data."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.accounts import service as accounts
from server.accounts.models import Role
from server.aggregation.jobs import refresh_person_summaries
from server.audit.models import AuditEvent
from server.clock import utcnow
from tests.support.api import sign_in
from tests.support.factories import make_service_user, make_user
from tests.unit.aggregation.checkins import checkin_answers, job_context, who5_answers

DEVICE = "6f1c0000-0000-4000-8000-000000000002"


def push(person_client, *, days_ago: float, shared: bool, who5: int | None = None, note=None):
    """Push one check-in through the sync API, as the person."""
    recorded = (utcnow() - timedelta(days=days_ago)).isoformat()
    responses = [{"instrument": "alongside-checkin", "version": 1, "answers": checkin_answers(6)}]
    if who5 is not None:
        responses.append({"instrument": "who5", "version": 1, "answers": who5_answers(who5)})
    change = {
        "change_id": str(uuid.uuid4()),
        "id": str(uuid.uuid4()),
        "op": "put",
        "base_rev": None,
        "changed_at": recorded,
        "data": {"recorded_at": recorded, "shared": shared, "note": note, "responses": responses},
    }
    response = person_client.post(
        "/api/v1/sync/push", json={"device_id": DEVICE, "changes": [change]}
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["results"][0]["status"] == "applied"


def run_job(app, session, now=None):
    with app.app_context():
        refresh_person_summaries(job_context(app, session, now or utcnow()))


@pytest.fixture
def world(session):
    """Sam linked to Pat; Alex linked to Pat until moved to Robin; Quinn another peer worker."""
    pat = make_user(session, Role.PEER_WORKER, username="pat-peer")
    robin = make_user(session, Role.PEER_WORKER, username="robin-peer", service_id=pat.service_id)
    make_user(session, Role.PEER_WORKER, username="quinn-peer", service_id=pat.service_id)
    sam = make_service_user(session, peer_worker=pat, username="sam")
    alex = make_service_user(session, peer_worker=pat, username="alex")
    accounts.link_to_peer_worker(session, service_user=alex, peer_worker=robin, now=utcnow())
    make_user(session, Role.RESEARCHER, username="rae-research")
    make_user(session, Role.ADMIN, username="ada-admin")
    session.flush()
    return {"sam": sam, "alex": alex}


ENDPOINTS = {
    "caseload": "/api/v1/peer/people",
    "summary": "/api/v1/peer/people/{sam}/summary",
    "checkins": "/api/v1/peer/people/{sam}/checkins",
    "nobody": "/api/v1/peer/people/{nobody}/summary",
    "own": "/api/v1/me/summary",
}
# Who gets what. pat: Sam's peer worker; robin: Alex's peer worker now (Alex was Pat's);
# quinn: a peer worker in the same service with no link to Sam.
MATRIX = [
    ("pat-peer", {"caseload": 200, "summary": 200, "checkins": 200, "nobody": 404, "own": 403}),
    ("quinn-peer", {"caseload": 200, "summary": 404, "checkins": 404, "nobody": 404, "own": 403}),
    ("sam", {"caseload": 403, "summary": 403, "checkins": 403, "nobody": 403, "own": 200}),
    ("alex", {"caseload": 403, "summary": 403, "checkins": 403, "nobody": 403, "own": 200}),
    ("rae-research", {"caseload": 403, "summary": 403, "checkins": 403, "nobody": 403, "own": 403}),
    ("ada-admin", {"caseload": 403, "summary": 403, "checkins": 403, "nobody": 403, "own": 403}),
    (None, {"caseload": 401, "summary": 401, "checkins": 401, "nobody": 401, "own": 401}),
]


@pytest.mark.parametrize(
    ("username", "expected"), MATRIX, ids=[m[0] or "anonymous" for m in MATRIX]
)
def test_access_matrix(client, world, username, expected):
    caller = sign_in(client, username) if username else client
    ids = {"sam": world["sam"].id, "nobody": uuid.uuid4()}
    for endpoint, status in expected.items():
        response = caller.get(ENDPOINTS[endpoint].format(**ids))
        assert response.status_code == status, (endpoint, response.get_json())
        if status >= 400:
            assert set(response.get_json()) >= {"error", "message"}


def test_a_former_peer_worker_gets_404_for_the_person_and_does_not_list_them(client, world):
    pat = sign_in(client, "pat-peer")
    alex = world["alex"].id
    assert pat.get(f"/api/v1/peer/people/{alex}/summary").status_code == 404
    assert pat.get(f"/api/v1/peer/people/{alex}/checkins").status_code == 404
    listed = [p["username"] for p in pat.get("/api/v1/peer/people").get_json()["people"]]
    assert listed == ["sam"]
    robin = sign_in(client, "robin-peer")
    assert robin.get(f"/api/v1/peer/people/{alex}/summary").status_code == 200


def test_peer_summary_changes_with_a_shared_check_in_and_not_with_an_unshared_one(
    app, client, session, world
):
    sam, pat = sign_in(client, "sam"), sign_in(client, "pat-peer")
    url = f"/api/v1/peer/people/{world['sam'].id}/summary"
    now = utcnow()
    push(sam, days_ago=10, shared=True, who5=3)
    run_job(app, session, now)
    first = pat.get(url).get_json()
    wellbeing = first["sections"][3]
    assert [s["title"] for s in first["sections"]] == ["Trust", "Hope", "Engagement", "Wellbeing"]
    assert wellbeing["measures"][0]["latest"] == 60.0

    push(sam, days_ago=3, shared=False, who5=1)
    run_job(app, session, now)
    assert pat.get(url).get_json()["sections"] == first["sections"]
    own = sam.get("/api/v1/me/summary").get_json()
    assert own["view"] == "own"
    assert own["sections"][3]["measures"][0]["latest"] == 20.0

    push(sam, days_ago=1, shared=True, who5=1)
    run_job(app, session, now)
    changed = pat.get(url).get_json()["sections"][3]["measures"][0]
    assert changed["latest"] == 20.0
    assert changed["count"] == 2
    assert changed["reliable_change"] == "worse"


def test_shared_check_ins_come_with_notes_and_unshared_ones_never(app, client, session, world):
    sam, pat = sign_in(client, "sam"), sign_in(client, "pat-peer")
    push(sam, days_ago=2, shared=True, who5=4, note="Went to the allotment group")
    push(sam, days_ago=1, shared=False, who5=0, note="private")
    body = pat.get(f"/api/v1/peer/people/{world['sam'].id}/checkins").get_json()
    assert [c["note"] for c in body["checkins"]] == ["Went to the allotment group"]
    assert body["checkins"][0]["scores"]["who5@1/wellbeing"] == {"score": 80.0, "band": None}
    bad = pat.get(f"/api/v1/peer/people/{world['sam'].id}/checkins?limit=0")
    assert bad.status_code == 422


def test_every_read_of_a_person_is_audited(client, session, world):
    pat = sign_in(client, "pat-peer")
    sam_id = world["sam"].id
    pat.get("/api/v1/peer/people")
    pat.get(f"/api/v1/peer/people/{sam_id}/summary")
    pat.get(f"/api/v1/peer/people/{sam_id}/checkins")
    events = session.execute(
        sa.select(AuditEvent.action, AuditEvent.subject_id, AuditEvent.actor_role).where(
            AuditEvent.action.like("peer.%")
        )
    ).all()
    assert sorted(events) == sorted(
        [
            ("peer.caseload.read", None, "peer_worker"),
            ("peer.summary.read", sam_id, "peer_worker"),
            ("peer.checkins.read", sam_id, "peer_worker"),
        ]
    )


def test_caseload_raises_worries_in_plain_words_and_keeps_them_until_followed_up(
    app, client, session, world
):
    pat = make_user(session, Role.PEER_WORKER, username="lee-peer")
    make_service_user(session, peer_worker=pat, username="steady")
    falling = make_service_user(session, peer_worker=pat, username="falling").id
    lee = sign_in(client, "lee-peer")
    push(sign_in(client, "steady"), days_ago=30, shared=True, who5=3)
    push(sign_in(client, "steady"), days_ago=2, shared=True, who5=3)
    faller = sign_in(client, "falling")
    push(faller, days_ago=20, shared=True, who5=4)
    push(faller, days_ago=5, shared=True, who5=2)
    run_job(app, session)

    people = lee.get("/api/v1/peer/people").get_json()["people"]
    assert [p["username"] for p in people] == ["falling", "steady"]
    first = people[0]
    assert (first["flagged"], first["needs_attention"], first["urgent"]) == (True, True, False)
    (event,) = first["events"]  # one line for wellbeing, not one per rule that fired
    assert event["measure"] == "wellbeing"
    assert event["kind"] == "worse_since_start"
    assert event["concern"] is True
    assert event["message"] == "Wellbeing has dropped a lot since they started: from 80 to 40"
    assert first["days_since_last_shared"] == 5
    assert people[1]["flagged"] is False

    # Looking at the page clears nothing: the worry waits for a follow-up.
    seen = lee.get(f"/api/v1/peer/people/{falling}/summary").get_json()
    assert [e["kind"] for e in seen["concerns"]] == ["worse_since_start"]
    again = lee.get("/api/v1/peer/people").get_json()["people"]
    assert [p["needs_attention"] for p in again] == [True, False]

    done = lee.post(f"/api/v1/peer/people/{falling}/acknowledge", json={"note": "Rang them"})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["acknowledged"] == 1
    (past,) = done.get_json()["history"]
    assert (past["acknowledged_by"], past["note"]) == ("lee-peer", "Rang them")
    quiet = lee.get("/api/v1/peer/people").get_json()["people"]
    assert [p["flagged"] for p in quiet] == [False, False]
    run_job(app, session, utcnow() + timedelta(days=1))  # the same event is not raised again
    assert lee.get("/api/v1/peer/people").get_json()["people"][0]["flagged"] is False

    # Something new raises it again, first in the list.
    push(faller, days_ago=0.5, shared=True, who5=0)
    run_job(app, session)
    later = lee.get("/api/v1/peer/people").get_json()["people"]
    assert later[0]["username"] == "falling"
    assert later[0]["urgent"] is True
