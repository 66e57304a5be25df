"""GET /api/v1/sync/pull: own changes from every device, paging, tombstones, cursors, reset."""

from __future__ import annotations

import uuid
from datetime import timedelta

import orjson
import pytest
import sqlalchemy as sa

from server.checkins import pull as pull_module
from server.checkins.jobs import purge_tombstones
from server.checkins.models import Checkin, CheckinFeed
from server.clock import utcnow
from tests.support.api import sign_in
from tests.support.checkins import (
    DEVICE,
    DEVICE2,
    PULL,
    checkin_data,
    delete,
    put,
    send,
)
from tests.support.factories import make_service_user


def pull(person, cursor=None, limit=None):
    query = {}
    if cursor is not None:
        query["cursor"] = cursor
    if limit is not None:
        query["limit"] = limit
    response = person.get(PULL, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def pull_all(person, cursor=None, limit=None):
    """Pull until ``more`` is false, as a client does; returns every change and the last body."""
    changes = []
    while True:
        body = pull(person, cursor, limit)
        changes += body["changes"]
        cursor = body["cursor"]
        if not body["more"]:
            return changes, body


def test_first_pull_of_a_new_person_is_empty(person, client):
    body = pull(person)
    etag = client.get("/api/v1/instruments").headers["ETag"].strip('"')
    assert body == {
        "changes": [],
        "cursor": "v1.MA",
        "more": False,
        "live_count": 0,
        "reset": False,
        "instruments_etag": etag,
    }


def test_pull_returns_checkins_as_pushed_with_scores(person):
    change = put(data=checkin_data(note="a good week", shared=True))
    send(person, change)
    (pulled,) = pull(person)["changes"]
    assert pulled["id"] == change["id"]
    assert (pulled["rev"], pulled["seq"], pulled["deleted"], pulled["clock_skew"]) == (
        1,
        1,
        False,
        False,
    )
    assert pulled["device_id"] == DEVICE
    assert pulled["changed_at"] == change["changed_at"]
    assert pulled["data"] == {**change["data"], "note": "a good week"}
    assert pulled["scores"]["alongside-checkin@1"]["hope"] == {
        "raw": 7.0,
        "score": 7.0,
        "band": None,
        "answered": 2,
        "prorated": True,  # two of the three hope questions
        "not_applicable": False,
    }
    assert pulled["scores"]["alongside-checkin@1"]["trust"]["answered"] == 1


def test_changes_from_every_device_come_back_in_seq_order(person):
    a, b, c = put(), put(), put()
    send(person, a)
    send(person, b, device_id=DEVICE2)
    send(person, c)
    changes, body = pull_all(person)
    assert [(x["id"], x["seq"]) for x in changes] == [(a["id"], 1), (b["id"], 2), (c["id"], 3)]
    assert [x["device_id"] for x in changes] == [DEVICE, DEVICE2, DEVICE]
    assert body["live_count"] == 3


def test_paging_with_more_and_the_cursor_returns_each_change_once(person):
    changes = [put() for _ in range(7)]
    send(person, *changes)
    first = pull(person, limit=3)
    assert (len(first["changes"]), first["more"]) == (3, True)
    second = pull(person, first["cursor"], limit=3)
    assert (len(second["changes"]), second["more"]) == (3, True)
    third = pull(person, second["cursor"], limit=3)
    assert (len(third["changes"]), third["more"]) == (1, False)
    seen = [c["id"] for page in (first, second, third) for c in page["changes"]]
    assert seen == [c["id"] for c in changes]
    nothing_new = pull(person, third["cursor"])
    assert nothing_new["changes"] == []
    assert nothing_new["cursor"] == third["cursor"]


def test_an_exactly_full_last_page_says_no_more(person):
    send(person, put(), put())
    body = pull(person, limit=2)
    assert (len(body["changes"]), body["more"]) == (2, False)


def test_a_checkin_edited_since_the_cursor_appears_once_at_its_latest_version(person):
    first = put()
    send(person, first, put())
    cursor = pull(person)["cursor"]
    send(person, put(first["id"], base_rev=1))
    send(person, put(first["id"], base_rev=2, data=checkin_data(note="third")))
    changes, _ = pull_all(person, cursor)
    assert [(c["id"], c["rev"], c["data"]["note"]) for c in changes] == [(first["id"], 3, "third")]


def test_tombstones_flow_through_pull_and_leave_the_live_count(person):
    keep, drop = put(), put()
    send(person, keep, drop)
    cursor = pull(person)["cursor"]
    send(person, delete(drop["id"], base_rev=1), device_id=DEVICE2)
    body = pull(person, cursor)
    (tombstone,) = body["changes"]
    assert tombstone["id"] == drop["id"]
    assert (tombstone["deleted"], tombstone["rev"], tombstone["data"], tombstone["scores"]) == (
        True,
        2,
        None,
        None,
    )
    assert tombstone["device_id"] == DEVICE2
    assert body["live_count"] == 1


@pytest.mark.parametrize("cursor", ["garbage", "v2.MQ", "v1.", "v1.LTE", "v1.MDE", "v1.!!"])
def test_an_unreadable_cursor_gets_422(person, cursor):
    response = person.get(PULL, query_string={"cursor": cursor})
    assert response.status_code == 422
    assert response.get_json()["details"] == {"cursor": ["not a cursor from this server"]}


@pytest.mark.parametrize("limit", ["0", "1001", "ten"])
def test_a_limit_out_of_range_gets_422(person, limit):
    response = person.get(PULL, query_string={"limit": limit})
    assert response.status_code == 422
    assert "limit" in response.get_json()["details"]


def test_people_only_ever_pull_their_own_checkins(person, client, session):
    send(person, put(data=checkin_data(note="private")))
    other = make_service_user(session)
    session.commit()
    someone = sign_in(client, other.username)
    send(someone, put())
    theirs, body = pull_all(someone)
    assert len(theirs) == 1
    assert body["live_count"] == 1
    assert all(c["data"].get("note") != "private" for c in theirs)


def test_a_cursor_older_than_purged_tombstones_resets_to_the_beginning(person, session):
    old, kept = put(), put()
    send(person, old, kept)
    stale_cursor = pull(person, limit=1)["cursor"]  # has seen seq 1 only
    send(person, delete(old["id"], base_rev=1))  # tombstone at seq 3
    up_to_date = pull(person, stale_cursor)["cursor"]
    send(person, put())  # seq 4
    later = utcnow() + timedelta(days=91)
    assert purge_tombstones(session, now=later, retention=timedelta(days=90))["tombstones"] == 1
    session.commit()
    assert session.scalar(sa.select(CheckinFeed.purged_below_seq)) == 4

    reset = pull(person, stale_cursor)
    assert reset["reset"] is True
    assert [c["seq"] for c in reset["changes"]] == [2, 4]  # from the beginning, tombstone gone
    fine = pull(person, up_to_date)
    assert fine["reset"] is False
    assert [c["seq"] for c in fine["changes"]] == [4]
    assert pull(person)["reset"] is False


def test_a_cursor_past_the_end_of_the_feed_resets(person):
    send(person, put())
    body = pull(person, "v1.OTk")  # seq 99: not from this feed (a restored backup, say)
    assert body["reset"] is True
    assert len(body["changes"]) == 1


def test_pull_answers_are_never_cached(person):
    assert person.get(PULL).headers["Cache-Control"] == "no-store"


def pull_pages(person, limit):
    """Every page's raw body, following the cursor until ``more`` is false."""
    bodies, cursor = [], None
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = person.get(PULL, query_string=query)
        assert response.status_code == 200, response.get_json()
        bodies.append(response.data)
        page = response.get_json()
        cursor = page["cursor"]
        if not page["more"]:
            return bodies


@pytest.mark.parametrize("legacy", ["every row", "some rows"])
def test_rows_written_before_pulled_sealed_pull_exactly_as_new_ones(person, session, legacy):
    first, edited, dropped, last = (
        put(data=checkin_data(note='é 🌧 "quoted" \\ \n', shared=True)),
        put(),
        put(),
        put(data=checkin_data(note="last")),
    )
    send(person, first, edited, dropped, last)
    send(person, put(edited["id"], base_rev=1, data=checkin_data(note="edited")))
    send(person, delete(dropped["id"], base_rev=1), device_id=DEVICE2)
    mine = Checkin.user_id == person.user_id
    unrendered = sa.select(sa.func.count()).where(mine, Checkin.pulled_sealed.is_(None))
    assert session.scalar(unrendered) == 0
    rendered = [pull_pages(person, limit) for limit in (1000, 2)]

    # What a row written before migration 0008 looks like: no stored rendering.
    some = [uuid.UUID(first["id"]), uuid.UUID(dropped["id"])]
    which = sa.true() if legacy == "every row" else Checkin.id.in_(some)
    session.execute(sa.update(Checkin).where(mine, which).values(pulled_sealed=None))
    session.commit()
    assert session.scalar(unrendered) == (4 if legacy == "every row" else 2)

    assert [pull_pages(person, limit) for limit in (1000, 2)] == rendered
    (whole,) = rendered[0]
    assert [change["id"] for change in orjson.loads(whole)["changes"]] == [
        first["id"],
        last["id"],
        edited["id"],
        dropped["id"],
    ]


def test_the_stored_rendering_reads_back_through_the_model(person, session):
    change = put(data=checkin_data(note="through the model"))
    send(person, change)
    (pulled,) = pull(person)["changes"]
    assert session.get(Checkin, uuid.UUID(change["id"])).pulled == pulled


def test_a_purge_between_the_page_and_its_unrendered_rows_still_resets(
    person, session, monkeypatch
):
    kept, dropped = put(), put()
    send(person, kept, dropped)
    stale_cursor = pull(person, limit=1)["cursor"]  # has seen `kept` only
    send(person, delete(dropped["id"], base_rev=1))  # a tombstone at seq 3
    session.execute(
        sa.update(Checkin).where(Checkin.user_id == person.user_id).values(pulled_sealed=None)
    )
    session.commit()
    read_unrendered = pull_module._legacy_changes

    def purge_first(pull_session, rows, user_id):
        # The purge job commits right after the page was read, before its unrendered rows.
        later = utcnow() + timedelta(days=91)
        purge_tombstones(pull_session, now=later, retention=timedelta(days=90))
        return read_unrendered(pull_session, rows, user_id)

    monkeypatch.setattr(pull_module, "_legacy_changes", purge_first)
    body = pull(person, stale_cursor)
    # Not an empty page past the tombstone: the client would keep the deleted check-in.
    assert body["reset"] is True
    assert [change["id"] for change in body["changes"]] == [kept["id"]]
