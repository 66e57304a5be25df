"""POST /api/v1/sync/push: every row of the decision table, every status, and every refusal."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.accounts.models import Role
from server.checkins import routes
from server.checkins.jobs import purge_tombstones
from server.checkins.models import Checkin, CheckinFeed, PurgedCheckin, SyncChange
from server.clock import utcnow
from tests.support.api import sign_in
from tests.support.checkins import (
    DEVICE,
    DEVICE2,
    PULL,
    PUSH,
    RECORDED,
    checkin_data,
    delete,
    new_id,
    push_body,
    put,
    send,
)
from tests.support.factories import make_service_user, make_user


def only(person, change, **kwargs):
    (result,) = send(person, change, **kwargs)
    return result


def stored(session, checkin_id):
    return session.get(Checkin, uuid.UUID(checkin_id))


# --- the decision table, row by row ----------------------------------------------------------


def test_new_checkin_is_applied_at_rev_1_with_its_seq(person, session):
    change = put()
    result = only(person, change)
    assert result == {
        "change_id": change["change_id"],
        "id": change["id"],
        "status": "applied",
        "rev": 1,
        "seq": 1,
    }
    row = stored(session, change["id"])
    assert (row.rev, row.seq, row.deleted, row.user_id) == (1, 1, False, person.user_id)
    assert row.instruments == "alongside-checkin@1"
    assert row.content["responses"][0]["answers"]["trust_peer_worker"] == 7
    assert row.scores["alongside-checkin@1"]["hope"]["score"] == 7.0


def test_put_with_a_base_rev_for_an_unknown_checkin_is_rejected(person, session):
    result = only(person, put(base_rev=3))
    assert result["status"] == "rejected"
    assert list(result["errors"]) == ["base_rev"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 0


def test_delete_of_an_unknown_checkin_stores_a_tombstone_at_rev_1(person, session):
    checkin_id = new_id()
    result = only(person, delete(checkin_id, base_rev=None))
    assert (result["status"], result["rev"]) == ("applied", 1)
    row = stored(session, checkin_id)
    assert row.deleted is True
    assert row.content is None
    assert row.scores is None


def test_edit_from_the_current_rev_applies_at_rev_plus_1(person, session):
    first = put()
    only(person, first)
    edit = put(first["id"], base_rev=1, data=checkin_data(note="better today"))
    result = only(person, edit)
    assert (result["status"], result["rev"], result["seq"]) == ("applied", 2, 2)
    assert stored(session, first["id"]).content["note"] == "better today"


def test_delete_from_the_current_rev_applies_a_tombstone(person, session):
    first = put()
    only(person, first)
    result = only(person, delete(first["id"], base_rev=1))
    assert (result["status"], result["rev"]) == ("applied", 2)
    assert stored(session, first["id"]).deleted is True


@pytest.mark.parametrize("base_rev", [None, 1, 5])
def test_edit_from_another_rev_is_a_conflict_with_the_current_version(person, session, base_rev):
    first = put(data=checkin_data(note="first words"))
    only(person, first)
    only(person, put(first["id"], base_rev=1))
    stale = put(first["id"], base_rev=base_rev, data=checkin_data(note="stale"))
    result = only(person, stale)
    assert result["status"] == "conflict"
    current = result["current"]
    assert (current["id"], current["rev"], current["deleted"]) == (first["id"], 2, False)
    assert current["data"]["responses"][0]["instrument"] == "alongside-checkin"
    assert current["scores"]["alongside-checkin@1"]["hope"]["score"] == 7.0
    assert stored(session, first["id"]).rev == 2


def test_delete_beats_edit_even_from_a_stale_rev(person, session):
    first = put()
    only(person, first)
    only(person, put(first["id"], base_rev=1))
    result = only(person, delete(first["id"], base_rev=1))
    assert (result["status"], result["rev"]) == ("applied", 3)
    assert stored(session, first["id"]).deleted is True


@pytest.mark.parametrize("base_rev", [None, 1, 2])
def test_edit_of_a_deleted_checkin_is_a_conflict_showing_the_tombstone(person, base_rev):
    first = put()
    only(person, first)
    only(person, delete(first["id"], base_rev=1))
    result = only(person, put(first["id"], base_rev=base_rev))
    assert result["status"] == "conflict"
    assert result["current"]["deleted"] is True
    assert result["current"]["data"] is None
    assert result["current"]["scores"] is None


def test_deleting_a_deleted_checkin_again_is_a_conflict(person):
    first = put()
    only(person, first)
    only(person, delete(first["id"], base_rev=1))
    result = only(person, delete(first["id"], base_rev=2))
    assert result["status"] == "conflict"
    assert (result["current"]["rev"], result["current"]["deleted"]) == (2, True)


# --- duplicates and idempotency --------------------------------------------------------------


def counts(session):
    return (
        session.scalar(sa.select(sa.func.count()).select_from(Checkin)),
        session.scalar(sa.select(sa.func.count()).select_from(SyncChange)),
        session.scalar(sa.select(CheckinFeed.last_seq)),
    )


def test_a_replayed_batch_returns_duplicates_and_stores_nothing_twice(person, session):
    changes = [put(), put(), put()]
    first = send(person, *changes)
    before = counts(session)
    again = send(person, *changes)
    assert counts(session) == before == (3, 3, 3)
    for original, replay in zip(first, again, strict=True):
        assert replay == {
            "change_id": original["change_id"],
            "id": original["id"],
            "status": "duplicate",
            "outcome": "applied",
            "rev": original["rev"],
            "seq": original["seq"],
        }


def test_a_replayed_conflict_returns_the_current_version_as_it_is_now(person):
    first = put()
    only(person, first)
    only(person, put(first["id"], base_rev=1))
    stale = put(first["id"], base_rev=None)
    assert only(person, stale)["status"] == "conflict"
    only(person, put(first["id"], base_rev=2))
    replay = only(person, stale)
    assert (replay["status"], replay["outcome"]) == ("duplicate", "conflict")
    assert replay["current"]["rev"] == 3


def test_a_replayed_conflict_whose_tombstone_was_purged_has_current_null(
    person, session, monkeypatch
):
    first = put()
    only(person, first)
    only(person, delete(first["id"], base_rev=1))
    # The stale edit arrives 60 days after the delete, so its change record outlives the
    # tombstone's 90-day retention by 60 days.
    arrived = utcnow() + timedelta(days=60)
    monkeypatch.setattr(routes, "utcnow", lambda: arrived)
    stale = put(first["id"], base_rev=1, data=checkin_data(note="edited offline"))
    conflict = only(person, stale)
    assert (conflict["status"], conflict["current"]["deleted"]) == ("conflict", True)
    later = utcnow() + timedelta(days=91)
    purged = purge_tombstones(session, now=later, retention=timedelta(days=90))
    session.commit()
    assert (purged["tombstones"], purged["sync_changes"]) == (1, 2)
    assert stored(session, first["id"]) is None

    replay = only(person, stale)
    assert replay == {
        "change_id": stale["change_id"],
        "id": first["id"],
        "status": "duplicate",
        "outcome": "conflict",
        "current": None,
    }
    assert stored(session, first["id"]) is None


def purge_past_retention(session):
    """The real purge job, run past the 90-day retention of everything pushed so far."""
    later = utcnow() + timedelta(days=91)
    purged = purge_tombstones(session, now=later, retention=timedelta(days=90))
    session.commit()
    return purged


def test_a_checkin_whose_tombstone_was_purged_stays_deleted(person, session):
    """A replay of its first put, arriving after its record was purged too, is a conflict."""
    first = put()
    only(person, first)
    only(person, delete(first["id"], base_rev=1))
    assert purge_past_retention(session)["tombstones"] == 1
    assert session.get(PurgedCheckin, uuid.UUID(first["id"])).user_id == person.user_id
    feed_before = session.get(CheckinFeed, person.user_id)
    last_seq, live = feed_before.last_seq, feed_before.live_count

    checkin_id = first["id"]
    attempts = [first, put(checkin_id), put(checkin_id, base_rev=2), delete(checkin_id, base_rev=2)]
    for change, result in zip(attempts, send(person, *attempts), strict=True):
        assert result == {
            "change_id": change["change_id"],
            "id": first["id"],
            "status": "conflict",
            "current": None,
        }
    assert stored(session, first["id"]) is None
    session.expire_all()
    feed = session.get(CheckinFeed, person.user_id)
    assert (feed.last_seq, feed.live_count) == (last_seq, live)
    assert only(person, first)["status"] == "duplicate"  # its record is kept anew


def test_a_purged_checkins_id_stays_its_owners(person, client, session):
    first = put()
    only(person, first)
    only(person, delete(first["id"], base_rev=1))
    purge_past_retention(session)
    other = make_service_user(session)
    session.commit()
    intruder = sign_in(client, other.username)

    (result,) = send(intruder, put(first["id"]))
    assert result["status"] == "rejected"
    assert result["errors"] == {"id": ["already used by another check-in: make a new id"]}


def test_a_replayed_rejection_returns_its_errors(person):
    bad = put(data=checkin_data(note="x" * 2001))
    first = only(person, bad)
    replay = only(person, bad)
    assert first["status"] == "rejected"
    assert replay == {**first, "status": "duplicate", "outcome": "rejected"}


def test_the_same_change_id_with_different_content_is_rejected(person, session):
    first = put()
    only(person, first)
    reused = put(change_id=first["change_id"], data=checkin_data(note="something else"))
    result = only(person, reused)
    assert result["status"] == "rejected"
    assert result["errors"] == {"change_id": ["already used for a different change"]}
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 1


def test_a_change_id_repeated_inside_one_batch_is_a_duplicate(person, session):
    change = put()
    first, second = send(person, change, change)
    assert first["status"] == "applied"
    assert (second["status"], second["outcome"], second["seq"]) == ("duplicate", "applied", 1)
    assert counts(session) == (1, 1, 1)


def test_change_ids_are_per_person(person, client, session):
    other = make_service_user(session)
    session.commit()
    someone = sign_in(client, other.username)
    change = put()
    assert only(person, change)["status"] == "applied"
    # Another person reusing the change_id for their own check-in is not a duplicate...
    theirs = {**change, "id": new_id()}
    assert only(someone, theirs)["status"] == "applied"


# --- one bad change never fails the batch ------------------------------------------------------


def test_the_rest_of_a_batch_applies_when_one_change_is_rejected(person, session):
    good_before, good_after = put(), put()
    bad = put(
        data=checkin_data(
            responses=[{"instrument": "who5", "version": 1, "answers": {"who5_calm": 9}}]
        )
    )
    results = send(person, good_before, bad, good_after)
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert [r.get("seq") for r in results] == [1, None, 2]
    assert results[1]["errors"] == {
        "data.responses.0.answers.who5_calm": ["must be a whole number from 0 to 5"]
    }
    assert counts(session) == (2, 3, 2)


def test_a_batch_can_create_edit_and_delete_one_checkin(person, session):
    first = put()
    edit = put(first["id"], base_rev=1, data=checkin_data(shared=True))
    gone = delete(first["id"], base_rev=2)
    results = send(person, first, edit, gone)
    assert [(r["status"], r["rev"], r["seq"]) for r in results] == [
        ("applied", 1, 1),
        ("applied", 2, 2),
        ("applied", 3, 3),
    ]
    row = stored(session, first["id"])
    assert (row.rev, row.seq, row.deleted) == (3, 3, True)
    assert session.scalar(sa.select(CheckinFeed.live_count)) == 0


# --- field-level rejections ------------------------------------------------------------------

ANSWER_CASES = [
    ({"trust_peer_worker": 11}, "answers.trust_peer_worker", "must be a whole number from 0 to 10"),
    (
        {"trust_peer_worker": 7.5},
        "answers.trust_peer_worker",
        "must be a whole number from 0 to 10",
    ),
    (
        {"trust_peer_worker": "7"},
        "answers.trust_peer_worker",
        "must be a whole number from 0 to 10",
    ),
    (
        {"trust_peer_worker": True},
        "answers.trust_peer_worker",
        "must be a whole number from 0 to 10",
    ),
    (
        {"hope_weeks_ahead": "na"},
        "answers.hope_weeks_ahead",
        "not applicable is not allowed for this question",
    ),
    ({"favourite_colour": 3}, "answers.favourite_colour", "unknown item"),
    ({"hope_weeks_ahead": None}, "answers", "no question was answered"),
    ({}, "answers", "no question was answered"),
]


@pytest.mark.parametrize(("answers", "path", "message"), ANSWER_CASES)
def test_answers_that_do_not_fit_the_instrument_are_rejected_field_by_field(
    person, answers, path, message
):
    data = checkin_data(
        responses=[{"instrument": "alongside-checkin", "version": 1, "answers": answers}]
    )
    result = only(person, put(data=data))
    assert result["status"] == "rejected"
    assert result["errors"] == {f"data.responses.0.{path}": [message]}


def response(instrument="alongside-checkin", version=1, answers=None):
    return {
        "instrument": instrument,
        "version": version,
        "answers": answers or {"hope_weeks_ahead": 5},
    }


CHANGE_CASES = [
    (
        lambda c: c["data"]["responses"].__setitem__(0, response("made-up")),
        "data.responses.0.instrument",
        "unknown instrument",
    ),
    (
        lambda c: c["data"]["responses"].__setitem__(0, response(version=9)),
        "data.responses.0.version",
        "unknown version; this server has 1",
    ),
    (
        lambda c: c["data"].__setitem__("note", "x" * 2001),
        "data.note",
        "must be at most 2,000 characters",
    ),
    (lambda c: c["data"].__setitem__("mood", "fine"), "data.mood", "unknown field"),
    (
        lambda c: c["data"]["responses"][0].__setitem__("extra", 1),
        "data.responses.0.extra",
        "unknown field",
    ),
    (lambda c: c.__setitem__("colour", "red"), "colour", "unknown field"),
    (
        lambda c: c["data"].__setitem__("responses", []),
        "data.responses",
        "must hold 1 to 5 instruments",
    ),
    (
        lambda c: c["data"]["responses"].append(response()),
        "data.responses.1.instrument",
        "appears twice in this check-in",
    ),
    (lambda c: c["data"].__setitem__("shared", "yes"), "data.shared", "must be true or false"),
    (
        lambda c: c["data"].__setitem__("recorded_at", "2026-11-20T09:15:00"),
        "data.recorded_at",
        "must be a date and time with a time-zone offset, e.g. 2026-11-20T09:15:00+00:00",
    ),
    (
        lambda c: c.__setitem__("changed_at", "yesterday"),
        "changed_at",
        "must be a date and time with a time-zone offset, e.g. 2026-11-20T09:15:00+00:00",
    ),
    (lambda c: c.__setitem__("id", "not-a-uuid"), "id", "must be a UUID"),
    (lambda c: c.__setitem__("op", "merge"), "op", "must be put or delete"),
    (lambda c: c.__setitem__("base_rev", 0), "base_rev", "Must be greater than or equal to 1."),
    (lambda c: c.__setitem__("base_rev", "1"), "base_rev", "must be a whole number"),
    (lambda c: c.__setitem__("data", None), "data", "a put needs the check-in's data"),
]


@pytest.mark.parametrize(("spoil", "path", "message"), CHANGE_CASES)
def test_a_malformed_change_is_rejected_with_a_message_on_the_field(
    person, session, spoil, path, message
):
    change = put()
    spoil(change)
    result = only(person, change)
    assert result["status"] == "rejected"
    assert result["errors"] == {path: [message]}
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 0


def test_a_delete_carrying_data_is_rejected(person):
    change = {**delete(new_id(), base_rev=None), "data": checkin_data()}
    assert only(person, change)["errors"] == {
        "data": ["a delete carries no data: leave it out or send null"]
    }


def test_a_note_of_exactly_2000_characters_is_accepted(person, session):
    change = put(data=checkin_data(note="é" * 2000))
    assert only(person, change)["status"] == "applied"


# --- whole-request refusals --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"device_id": ',
        b"",
        b'{"device_id": NaN, "changes": []}',
        b'{"changes": [], "device_id": "\\ud800"}',  # a lone surrogate is not text
        b'{"changes": [], "device_id": "\xff"}',  # nor is a byte that is not UTF-8
    ],
)
def test_malformed_json_gets_400_in_the_json_error_shape(person, body):
    response = person.post(PUSH, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json() == {"error": "bad_request", "message": "The body is not valid JSON."}


def test_more_than_500_changes_gets_413(person, session):
    response = person.post(PUSH, json=push_body(*[put() for _ in range(501)]))
    assert response.status_code == 413
    assert response.get_json()["error"] == "payload_too_large"
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 0


def test_a_body_over_1_mib_gets_413_as_json(person):
    body = json.dumps(push_body(put(data=checkin_data(note="x" * 1000)))).encode()
    padded = body[:-1] + b", " + b'"pad": "' + b"x" * (1024 * 1024) + b'"}'
    response = person.post(PUSH, data=padded, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.is_json
    assert response.get_json()["error"] == "request_entity_too_large"


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"changes": []}, {"device_id": ["must be the UUID of this installation"]}),
        (
            {"device_id": "phone", "changes": []},
            {"device_id": ["must be the UUID of this installation"]},
        ),
        ({"device_id": DEVICE, "changes": {}}, {"changes": ["must be a list of changes"]}),
        ({"device_id": DEVICE}, {"changes": ["must be a list of changes"]}),
        (
            {"device_id": DEVICE, "changes": [{"id": "x"}, "put"]},
            {
                "changes.0.change_id": ["every change needs a change_id UUID"],
                "changes.1.change_id": ["every change needs a change_id UUID"],
            },
        ),
        ({"device_id": DEVICE, "changes": [], "extra": 1}, {"extra": ["unknown field"]}),
        ([], {"_": ["must be an object"]}),
    ],
)
def test_an_unreadable_envelope_gets_422_and_stores_nothing(person, session, body, details):
    response = person.post(PUSH, json=body)
    assert response.status_code == 422
    assert response.get_json()["details"] == details
    assert session.scalar(sa.select(sa.func.count()).select_from(SyncChange)) == 0


def test_an_empty_push_is_fine(person):
    response = person.post(PUSH, json=push_body())
    assert response.status_code == 200
    assert response.get_json()["results"] == []


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PEER_WORKER, Role.RESEARCHER, Role.ADMIN])
@pytest.mark.parametrize(("method", "url"), [("POST", PUSH), ("GET", PULL)])
def test_staff_cannot_sync(client, session, role, method, url):
    staff = make_user(session, role)
    session.commit()
    signed_in = sign_in(client, staff.username)
    response = signed_in.request(method, url, json=push_body(put()) if method == "POST" else None)
    assert response.status_code == 403
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 0


@pytest.mark.parametrize(("method", "url"), [("POST", PUSH), ("GET", PULL)])
def test_signed_out_requests_get_401(client, method, url):
    assert client.open(url, method=method, json=push_body()).status_code == 401


def test_nobody_can_overwrite_or_delete_another_persons_checkin(person, client, session):
    mine = put(data=checkin_data(note="mine"))
    only(person, mine)
    other = make_service_user(session)
    session.commit()
    intruder = sign_in(client, other.username)
    attempts = [
        put(mine["id"], base_rev=None),
        put(mine["id"], base_rev=1, data=checkin_data(note="overwritten")),
        delete(mine["id"], base_rev=1),
    ]
    for result in send(intruder, *attempts):
        assert result["status"] == "rejected"
        assert result["errors"] == {"id": ["already used by another check-in: make a new id"]}
        assert "current" not in result
    row = stored(session, mine["id"])
    assert (row.rev, row.deleted, row.user_id, row.content["note"]) == (
        1,
        False,
        person.user_id,
        "mine",
    )
    assert intruder.get(PULL).get_json()["changes"] == []


# --- what is stored ------------------------------------------------------------------------------


def test_answers_notes_and_scores_are_sealed_in_the_database(person, session):
    marker = "Marker note: slept badly, saw my sister"
    change = put(data=checkin_data(note=marker))
    only(person, change)
    raw = session.execute(sa.text("SELECT content_sealed, scores_sealed FROM checkins")).one()
    for column in raw:
        blob = bytes(column)
        assert marker.encode() not in blob
        assert b"trust_peer_worker" not in blob
        assert b"hope" not in blob
    assert stored(session, change["id"]).content["note"] == marker


def test_a_clock_more_than_5_minutes_ahead_is_flagged_and_capped(person, session):
    ahead = utcnow() + timedelta(days=2)
    change = put(data=checkin_data(recorded_at=ahead), changed_at=ahead)
    only(person, change)
    row = stored(session, change["id"])
    assert row.clock_skew is True
    assert row.recorded_at == ahead.replace(microsecond=ahead.microsecond)
    assert row.effective_at <= row.received_at + timedelta(minutes=5)
    assert row.effective_at < ahead


def test_a_clock_in_step_keeps_the_recorded_time(person, session):
    change = put()
    only(person, change)
    row = stored(session, change["id"])
    assert row.clock_skew is False
    assert row.effective_at == row.recorded_at == RECORDED


def test_the_latest_device_is_recorded(person, session):
    first = put()
    only(person, first)
    only(person, put(first["id"], base_rev=1), device_id=DEVICE2)
    assert str(stored(session, first["id"]).device_id) == DEVICE2


def test_push_answers_are_never_cached(person):
    response = person.post(PUSH, json=push_body(put()))
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("depth", [400, 900, 990, 5000, 100_000])
def test_absurdly_nested_json_is_refused_or_rejected_never_a_500(person, session, depth):
    body = json.dumps(push_body(put()))
    nested = "[" * depth + "]" * depth
    body = body.replace('"hope_weeks_ahead": 6', f'"hope_weeks_ahead": {nested}')
    response = person.post(PUSH, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.get_json()["results"][0]["status"] == "rejected"
    else:
        assert response.get_json()["message"] in (
            "The body is not valid JSON.",  # deeper than the parser goes
            "The body is nested too deeply to read; nothing was stored.",
        )
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == 0


@pytest.mark.parametrize(
    "moment", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"], ids=["after", "before"]
)
def test_a_time_outside_the_utc_range_is_rejected_and_the_rest_of_the_batch_applies(
    person, session, moment
):
    # Valid ISO 8601 with an offset, but no UTC instant exists for it: one bad change
    # must not fail the whole push (a 5xx is retried for ever by the phone).
    bad_recorded = put()
    bad_recorded["data"]["recorded_at"] = moment
    bad_changed = put()
    bad_changed["changed_at"] = moment
    good = put()
    results = send(person, bad_recorded, bad_changed, good)
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied"]
    assert list(results[0]["errors"]) == ["data.recorded_at"]
    assert list(results[1]["errors"]) == ["changed_at"]
    assert "UTC" in results[0]["errors"]["data.recorded_at"][0]
    assert counts(session)[0] == 1
