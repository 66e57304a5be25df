"""``alongside demo`` loads its accounts once and prints working credentials."""

from __future__ import annotations

import stat
from pathlib import Path

import sqlalchemy as sa

from server.accounts.models import PeerLink, User
from server.checkins.models import Checkin
from tests.support.api import sign_in


def test_demo_loads_once_and_its_passwords_work(runner, client, session, app):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert "Loaded the demo" in first.output
    assert "already loaded" in second.output
    roles = dict(session.execute(sa.select(User.username, User.role)).all())
    original = {
        "demo-admin": "admin",
        "demo-peer": "peer_worker",
        "demo-alex": "service_user",
        "demo-bea": "service_user",
        "demo-cal": "service_user",
        "demo-researcher": "researcher",
    }
    assert {username: roles.get(username) for username in original} == original
    people = [username for username, role in roles.items() if role == "service_user"]
    assert session.scalar(sa.select(sa.func.count()).select_from(PeerLink)) == len(people)
    credentials = Path(app.instance_path) / "demo-accounts.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    password = next(line.split()[-1] for line in second.output.splitlines() if "demo-alex" in line)
    me = sign_in(client, "demo-alex", password).get("/api/v1/me").get_json()
    assert me["peer_worker"]["username"] == "demo-peer"
    assert me["consents"]["research"]["granted"] is True


def test_demo_people_get_weeks_of_varied_checkins_once(runner, client, session):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    rows = session.execute(
        sa.select(User.username, Checkin).join(Checkin, Checkin.user_id == User.id)
    ).all()
    by_person: dict[str, list[Checkin]] = {}
    for username, checkin in rows:
        by_person.setdefault(username, []).append(checkin)
    assert {"demo-alex", "demo-bea", "demo-cal"} <= set(by_person)
    weekly_means = {}
    for username in ("demo-alex", "demo-bea", "demo-cal"):
        checkins = by_person[username]
        times = sorted(checkin.recorded_at for checkin in checkins)
        assert 7 * 7 <= (times[-1] - times[0]).days <= 12 * 7, username
        instruments = " ".join(checkin.instruments for checkin in checkins)
        assert "who5@1" in instruments, username
        assert checkin.rev == 1
        hope = [c.scores["alongside-checkin@1"]["hope"]["score"] for c in checkins]
        weekly_means[username] = (hope[: len(hope) // 2], hope[len(hope) // 2 :])
    everyone = [checkin for checkins in by_person.values() for checkin in checkins]
    assert {checkin.shared for checkin in everyone} == {True, False}
    assert any("ons4@1" in checkin.instruments for checkin in everyone)
    assert any(checkin.content["note"] for checkin in everyone)
    assert not all(checkin.content["note"] for checkin in everyone)

    def mean(values):
        return sum(values) / len(values)

    alex_early, alex_late = weekly_means["demo-alex"]
    cal_early, cal_late = weekly_means["demo-cal"]
    assert mean(alex_late) > mean(alex_early) + 1  # Alex is doing better
    assert mean(cal_late) < mean(cal_early) - 1  # Cal is struggling

    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0, second.output
    assert f"0 stored, {len(everyone)} already there" in second.output
    assert session.scalar(sa.select(sa.func.count()).select_from(Checkin)) == len(everyone)
