"""``alongside demo`` leaves the peer worker a caseload with summaries to read."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from server.accounts.models import User
from server.aggregation.models import View
from server.aggregation.service import stored_summary
from server.checkins.demo_stories import STORIES, STORY_OF
from tests.support.api import sign_in

TRUST = "alongside-checkin@1/trust"
HOPE = "alongside-checkin@1/hope"
CONNECTION = "alongside-checkin@1/connection"


def load_demo(runner) -> str:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def shared_measures(session, username: str) -> dict[str, Any]:
    """The measures the demo command stored for the peer worker (shared check-ins only)."""
    person = session.scalar(sa.select(User).where(User.username == username))
    return stored_summary(session, user_id=person.id, view=View.SHARED)["measures"]


def test_demo_peer_worker_sees_summaries_of_shared_check_ins(runner, client):
    output = load_demo(runner)
    assert f"Person summaries: {len(STORIES)} people." in output
    password = next(line.split()[-1] for line in output.splitlines() if "demo-peer" in line)
    peer = sign_in(client, "demo-peer", password)

    people = peer.get("/api/v1/peer/people").get_json()["people"]
    assert sorted(p["username"] for p in people) == sorted(story.username for story in STORIES)
    for person in people:
        summary = peer.get(f"/api/v1/peer/people/{person['id']}/summary").get_json()
        assert summary["computed_at"] is not None
        measures = [m for section in summary["sections"] for m in section["measures"]]
        # Someone who keeps every check-in private leaves their peer worker nothing to read.
        kept_private = STORY_OF[person["username"]].kind == "private_only"
        assert bool(measures) is not kept_private, person["username"]


def test_falling_trust_is_reliably_worse_while_the_rest_holds(runner, session):
    load_demo(runner)
    falling = [story.username for story in STORIES if story.kind == "trust_dropping"]
    assert 2 <= len(falling) <= 3
    for username in falling:
        measures = shared_measures(session, username)
        trust = measures[TRUST]
        assert trust["reliable_change"] == "worse", username
        assert trust["baseline"] >= 8, username
        assert trust["latest"] <= 3, username
        assert measures[HOPE]["reliable_change"] is None, username
        assert measures[CONNECTION]["reliable_change"] is None, username


def test_good_news_shows_as_hope_reliably_better(runner, session):
    load_demo(runner)
    rising = [story.username for story in STORIES if story.kind == "hope_rising"]
    assert len(rising) == 2
    for username in rising:
        measures = shared_measures(session, username)
        assert measures[HOPE]["reliable_change"] == "better", username
        assert measures[TRUST]["reliable_change"] is None, username


def test_steady_people_show_no_reliable_change(runner, session):
    load_demo(runner)
    steady = [s.username for s in STORIES if s.kind == "steady" and s.pin_ends]
    assert len(steady) >= 4
    for username in steady:
        changed = {
            key: measure["reliable_change"]
            for key, measure in shared_measures(session, username).items()
            if measure["reliable_change"] is not None
        }
        assert changed == {}, username
