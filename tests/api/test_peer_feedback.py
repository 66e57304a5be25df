"""Feedback a peer worker acts on: fresh in seconds, urgent at once, plain words, kept until
followed up (DESIGN.md §11)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import sqlalchemy as sa

from server.accounts.models import Role
from server.aggregation import service as summaries
from server.aggregation.jobs import refresh_due_summaries
from server.audit.models import AuditEvent
from server.checkins.models import CheckinFeed
from server.clock import utcnow
from server.concerns.models import Concern
from tests.api.test_peer import push, run_job
from tests.support.api import sign_in
from tests.support.factories import make_service_user, make_user
from tests.unit.aggregation.checkins import checkin_answers, job_context, who5_answers

DEVICE = "6f1c0000-0000-4000-8000-000000000003"
JARGON = re.compile(r"reliable (deterioration|drop|change)|band crossing|\bRCI\b|jacobson", re.I)


def push_answers(person, *, days_ago: float, shared: bool, responses, note=None) -> str:
    """Push one check-in with these responses; returns its id."""
    recorded = (utcnow() - timedelta(days=days_ago)).isoformat()
    checkin_id = str(uuid.uuid4())
    change = {
        "change_id": str(uuid.uuid4()),
        "id": checkin_id,
        "op": "put",
        "base_rev": None,
        "changed_at": recorded,
        "data": {"recorded_at": recorded, "shared": shared, "note": note, "responses": responses},
    }
    response = person.post("/api/v1/sync/push", json={"device_id": DEVICE, "changes": [change]})
    assert response.json["results"][0]["status"] == "applied", response.json
    return checkin_id


def very_low() -> list[dict]:
    return [
        {"instrument": "alongside-checkin", "version": 1, "answers": checkin_answers(0)},
        {"instrument": "who5", "version": 1, "answers": who5_answers(0)},
        {"instrument": "ons-loneliness", "version": 1, "answers": {"ons_lonely": 4}},
    ]


def drain(app, session):
    """One run of the feedback job, as the scheduler runs it every few seconds."""
    with app.app_context():
        return refresh_due_summaries(job_context(app, session, utcnow()))


def strings(value):
    """Every string value in a JSON document (keys are field names, not words people read)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from strings(inner)


def test_a_first_very_low_shared_check_in_is_urgent_after_one_feedback_run(app, client, session):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    person = make_service_user(session, peer_worker=peer, username="new-nia")
    nia = sign_in(client, "new-nia")
    push_answers(nia, days_ago=0, shared=True, responses=very_low(), note="feel like giving up")
    due = session.scalar(
        sa.select(CheckinFeed.summary_due_at).where(CheckinFeed.user_id == person.id)
    )
    assert due is not None  # the push marked them due; it did not compute anything itself

    stats = drain(app, session)
    assert stats["people"] == 1
    assert stats["concerns_raised"] >= 1
    pia = sign_in(client, "pia-peer")
    (entry,) = pia.get("/api/v1/peer/people").json["people"]
    assert entry["urgent"] is True
    urgent = entry["events"][0]
    assert urgent["kind"] == "urgent"
    assert urgent["concern"] is True
    assert "trust in you" in urgent["message"]
    assert "feeling lonely often or always" in urgent["message"]
    assert "giving up" not in urgent["message"]  # notes are never read
    trust = next(d for d in entry["domains"] if d["domain"] == "trust")
    assert trust["latest"] == 0.0
    assert trust["series"][-1]["value"] == 0.0
    assert [d["domain"] for d in entry["domains"]] == ["trust", "hope", "connection", "wellbeing"]
    # Done: nobody is due, and an idle run does nothing.
    assert not summaries.any_due(session)
    assert drain(app, session)["people"] == 0


def test_a_private_very_low_check_in_raises_nothing(app, client, session):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    make_service_user(session, peer_worker=peer, username="private-pat")
    push_answers(sign_in(client, "private-pat"), days_ago=0, shared=False, responses=very_low())
    drain(app, session)
    (entry,) = sign_in(client, "pia-peer").get("/api/v1/peer/people").json["people"]
    assert entry["events"] == []
    assert entry["urgent"] is False
    assert all(d["latest"] is None and d["series"] == [] for d in entry["domains"])


def test_a_service_can_set_its_own_thresholds(app, client, session, monkeypatch):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    person_id = make_service_user(session, peer_worker=peer, username="mid-max").id
    service_name = peer.service.name
    fair = [{"instrument": "who5", "version": 1, "answers": who5_answers(2)}]  # 40 of 100
    push_answers(sign_in(client, "mid-max"), days_ago=0, shared=True, responses=fair)
    drain(app, session)
    assert session.scalars(sa.select(Concern).where(Concern.user_id == person_id)).all() == []
    strict = {service_name: {"urgent": {"who5/wellbeing": {"at_most": 40}}}}
    monkeypatch.setitem(app.config, "SERVICES", strict)
    push_answers(sign_in(client, "mid-max"), days_ago=0, shared=True, responses=fair)
    drain(app, session)
    (concern,) = session.scalars(sa.select(Concern).where(Concern.user_id == person_id)).all()
    assert concern.kind == "urgent"


def test_a_push_during_the_summary_keeps_the_person_due(app, client, session):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    person = make_service_user(session, peer_worker=peer, username="busy-bo")
    bo = sign_in(client, "busy-bo")
    push(bo, days_ago=1, shared=True, who5=3)
    positions = summaries.next_due(session)
    assert [p.user_id for p in positions] == [person.id]
    push(bo, days_ago=0, shared=True, who5=1)  # lands after the job read the feed
    summaries.mark_summarised(session, positions=positions)
    assert [p.user_id for p in summaries.next_due(session)] == [person.id]
    drain(app, session)
    assert summaries.next_due(session) == []


def test_un_sharing_withdraws_the_concern_it_raised(app, client, session):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    person_id = make_service_user(session, peer_worker=peer, username="shy-sol").id
    sol = sign_in(client, "shy-sol")
    checkin_id = push_answers(sol, days_ago=0, shared=True, responses=very_low())
    drain(app, session)
    pia = sign_in(client, "pia-peer")
    assert pia.get("/api/v1/peer/people").json["people"][0]["urgent"] is True
    pulled = sol.get("/api/v1/sync/pull").json["changes"][0]
    recorded = (utcnow() - timedelta(minutes=1)).isoformat()
    unshare = {
        "change_id": str(uuid.uuid4()),
        "id": checkin_id,
        "op": "put",
        "base_rev": pulled["rev"],
        "changed_at": recorded,
        "data": {**pulled["data"], "shared": False},
    }
    assert (
        sol.post("/api/v1/sync/push", json={"device_id": DEVICE, "changes": [unshare]}).json[
            "results"
        ][0]["status"]
        == "applied"
    )
    drain(app, session)
    (entry,) = pia.get("/api/v1/peer/people").json["people"]
    assert entry["events"] == []
    assert entry["urgent"] is False
    assert all(d["series"] == [] for d in entry["domains"])
    assert pia.get(f"/api/v1/peer/people/{person_id}/summary").json["history"] == []


def test_acknowledging_is_audited_sealed_and_only_for_your_own_caseload(app, client, session):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    make_user(session, Role.PEER_WORKER, username="other-peer", service_id=peer.service_id)
    person_id = make_service_user(session, peer_worker=peer, username="low-lou").id
    push_answers(sign_in(client, "low-lou"), days_ago=0, shared=True, responses=very_low())
    drain(app, session)
    url = f"/api/v1/peer/people/{person_id}/acknowledge"

    assert sign_in(client, "other-peer").post(url, json={}).status_code == 404
    assert sign_in(client, "low-lou").post(url, json={}).status_code == 403
    pia = sign_in(client, "pia-peer")
    assert pia.post(url, json={"note": "x" * 2001}).status_code == 422
    assert pia.post(url, json={"note": 7}).status_code == 422
    assert sign_in(client, "pia-peer").get("/api/v1/peer/people").json["people"][0]["urgent"]

    done = pia.post(url, json={"note": "Met for coffee, made a plan"})
    assert done.status_code == 200
    assert done.json["acknowledged"] == 1
    row = session.scalars(sa.select(Concern).where(Concern.user_id == person_id)).one()
    assert b"coffee" not in row.note_sealed
    assert b"Very low" not in row.detail_sealed
    assert b"urgent" not in row.detail_sealed
    audit = session.execute(
        sa.select(AuditEvent.action, AuditEvent.subject_id).where(
            AuditEvent.action == "peer.concerns.acknowledged"
        )
    ).all()
    assert audit == [("peer.concerns.acknowledged", person_id)]
    page = pia.get(f"/api/v1/peer/people/{person_id}/summary").json
    assert page["concerns"] == []
    (past,) = page["history"]
    assert past["kind"] == "urgent"
    assert past["note"] == "Met for coffee, made a plan"
    assert pia.post(url, json={}).json["acknowledged"] == 0  # nothing left: still fine


def test_the_caseload_sorts_urgent_then_worries_then_quiet_and_counts_in_words(
    app, client, session
):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    for name in ("a-steady", "b-quiet", "c-falling", "d-urgent"):
        make_service_user(session, peer_worker=peer, username=name)
    push(sign_in(client, "a-steady"), days_ago=3, shared=True, who5=3)
    push(sign_in(client, "b-quiet"), days_ago=40, shared=True, who5=3)
    push(sign_in(client, "b-quiet"), days_ago=30, shared=True, who5=3)
    push(sign_in(client, "c-falling"), days_ago=20, shared=True, who5=5)
    push(sign_in(client, "c-falling"), days_ago=2, shared=True, who5=2)
    push_answers(sign_in(client, "d-urgent"), days_ago=1, shared=True, responses=very_low())
    run_job(app, session)
    people = sign_in(client, "pia-peer").get("/api/v1/peer/people").json["people"]
    assert [p["username"] for p in people] == ["d-urgent", "c-falling", "b-quiet", "a-steady"]
    quiet = people[2]
    (line,) = quiet["events"]
    assert (line["kind"], line["message"]) == ("quiet", "No shared check-in for 4 weeks")
    assert quiet["quiet"] is None  # shown once, as the concern
    wellbeing = people[1]["domains"][3]
    assert (wellbeing["direction"], wellbeing["scale"]) == ("down", {"min": 0.0, "max": 100.0})
    assert people[0]["domains"][0]["direction"] is None  # one answer has no direction


def test_the_person_page_tells_the_story_and_what_changed_since_the_last_look(app, client, session):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    person_id = make_service_user(session, peer_worker=peer, username="story-sam").id
    sam = sign_in(client, "story-sam")
    push(sam, days_ago=30, shared=True, who5=4, note="first week")
    push(sam, days_ago=10, shared=True, who5=3)
    run_job(app, session)
    pia = sign_in(client, "pia-peer")
    url = f"/api/v1/peer/people/{person_id}/summary"
    first = pia.get(url).json
    assert first["since_last_look"]["last_viewed_at"] is None
    assert first["since_last_look"]["new_checkins"] == 2
    wellbeing = first["domains"][3]
    assert wellbeing["baseline"] == 80.0
    assert wellbeing["latest"] == 60.0
    assert [b["upper"] for b in wellbeing["bands"]] == [28.0, 50.0]
    assert wellbeing["change_threshold"] > 20
    assert [p["value"] for p in wellbeing["series"]] == [80.0, 60.0]

    push(sam, days_ago=0, shared=True, who5=0)
    drain(app, session)
    second = pia.get(url).json
    assert second["since_last_look"]["new_checkins"] == 1
    assert [e["kind"] for e in second["since_last_look"]["events"]] == [
        "urgent",
        "wellbeing" and "worse_since_start",
    ]
    assert pia.get(url).json["since_last_look"]["new_checkins"] == 0

    checkins = pia.get(f"/api/v1/peer/people/{person_id}/checkins").json["checkins"]
    (questions,) = [a for a in checkins[-1]["answers"] if a["instrument"] == "who5"]
    assert questions["title"] == "Wellbeing"
    assert questions["items"][0] == {
        "item": "who5_cheerful",
        "text": "I have felt cheerful and in good spirits",
        "value": 4,
        "answer": questions["items"][0]["answer"],
    }
    assert questions["items"][0]["answer"].startswith("4 out of 5")
    assert checkins[-1]["note"] == "first week"

    everything = [pia.get("/api/v1/peer/people").json, second, {"c": checkins}]
    assert [text for text in strings(everything) if JARGON.search(text)] == []


def test_polling_an_unchanged_caseload_answers_304_with_nothing_sent_or_audited(
    app, client, session
):
    peer = make_user(session, Role.PEER_WORKER, username="pia-peer")
    make_service_user(session, peer_worker=peer, username="poll-pip")
    pia = sign_in(client, "pia-peer")
    first = pia.get("/api/v1/peer/people")
    tag = first.headers["ETag"]
    assert first.status_code == 200
    assert tag

    def reads():
        return session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "peer.caseload.read")
        )

    assert reads() == 1
    again = pia.get("/api/v1/peer/people", headers={"If-None-Match": tag})
    assert (again.status_code, again.data, again.headers["ETag"]) == (304, b"", tag)
    assert reads() == 1

    push_answers(sign_in(client, "poll-pip"), days_ago=0, shared=True, responses=very_low())
    drain(app, session)
    changed = pia.get("/api/v1/peer/people", headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert changed.json["people"][0]["urgent"] is True
    assert reads() == 2
