"""``alongside demo`` gives the peer worker a caseload that looks like real use (issue 13)."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from server.accounts import service
from server.accounts.models import Consent, PeerLink, Role, User
from server.checkins.demo_stories import STORIES, URGENT_NOTE
from server.checkins.models import Checkin, SyncChange
from server.clock import utcnow
from server.demo import DEMO_ACCOUNTS, DEMO_SERVICE
from server.instruments import current_registry
from server.research.service import compute_exports
from tests.support.factories import make_user

LONELIEST = 4  # the ONS loneliness question's "often/always"


def load_demo(runner) -> str:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return result.output


def kind(name: str) -> list[str]:
    return [story.username for story in STORIES if story.kind == name]


def checkins_by_person(session) -> dict[str, list[Checkin]]:
    """Every demo person's check-ins, oldest first."""
    rows = session.execute(
        sa.select(User.username, Checkin)
        .join(Checkin, Checkin.user_id == User.id)
        .order_by(Checkin.recorded_at)
    ).all()
    found: dict[str, list[Checkin]] = {}
    for username, checkin in rows:
        found.setdefault(username, []).append(checkin)
    return found


def answers(checkin: Checkin, instrument: str) -> dict[str, object]:
    return next(r["answers"] for r in checkin.content["responses"] if r["instrument"] == instrument)


def test_the_peer_worker_has_a_caseload_of_about_25_named_people(runner, session, app):
    output = load_demo(runner)

    peer_worker = session.scalar(sa.select(User).where(User.username == "demo-peer"))
    linked = session.scalars(
        sa.select(User)
        .join(PeerLink, PeerLink.service_user_id == User.id)
        .where(PeerLink.peer_worker_id == peer_worker.id, PeerLink.ended_at.is_(None))
    ).all()
    assert 22 <= len(linked) <= 28
    assert {"demo-alex", "demo-bea", "demo-cal"} <= {person.username for person in linked}
    assert all(person.display_name for person in linked)
    # Every account's password is in the file, readable by this user only.
    credentials = Path(app.instance_path) / "demo-accounts.txt"
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    listed = [line.split(" ", 1)[0] for line in credentials.read_text().splitlines()]
    assert listed == [username for username, _ in DEMO_ACCOUNTS]
    assert "demo-zac" in output  # the printed list sums up the people it does not show
    consenting = set(
        session.scalars(
            sa.select(User.username)
            .join(Consent, Consent.user_id == User.id)
            .where(Consent.kind == "research", Consent.withdrawn_at.is_(None))
        )
    )
    assert {"demo-alex", "demo-bea"} <= consenting
    assert len(consenting) >= 12


def test_exactly_one_person_needs_a_call_today(runner, session):
    load_demo(runner)
    by_person = checkins_by_person(session)
    urgent = kind("urgent")
    assert len(urgent) == 1

    latest = [c for c in by_person[urgent[0]] if c.shared][-1]
    assert utcnow() - latest.recorded_at <= timedelta(days=2)
    assert set(answers(latest, "alongside-checkin").values()) == {0}
    assert set(answers(latest, "who5").values()) == {0}
    assert answers(latest, "ons-loneliness") == {"ons_lonely": LONELIEST}
    assert latest.content["note"] == URGENT_NOTE
    # Nobody else's latest shared check-in looks like that.
    for username, checkins in by_person.items():
        shared = [c for c in checkins if c.shared]
        if username != urgent[0] and shared:
            assert set(answers(shared[-1], "alongside-checkin").values()) != {0}, username


def test_quiet_private_and_brand_new_people(runner, session):
    load_demo(runner)
    by_person = checkins_by_person(session)
    now = utcnow()

    quiet = kind("quiet")
    assert 3 <= len(quiet) <= 4
    for username in quiet:
        last_shared = [c for c in by_person[username] if c.shared][-1].recorded_at
        assert timedelta(days=21) <= now - last_shared <= timedelta(weeks=6), username
    # One of them still checks in, but keeps it to themselves.
    assert any(not by_person[username][-1].shared for username in quiet)

    (private,) = kind("private_only")
    assert by_person[private]
    assert not any(checkin.shared for checkin in by_person[private])
    (new,) = kind("new")
    assert [checkin.shared for checkin in by_person[new]] == [True]

    everyone = [checkin for checkins in by_person.values() for checkin in checkins]
    shared = sum(checkin.shared for checkin in everyone)
    assert len(everyone) * 0.7 < shared < len(everyone)
    noted = sum(bool(checkin.content.get("note")) for checkin in everyone)
    assert 10 <= noted < len(everyone) / 3
    instruments = " ".join(checkin.instruments for checkin in everyone)
    for label in ("alongside-checkin@1", "who5@1", "ons4@1", "ons-loneliness@1"):
        assert label in instruments


def test_research_exports_publish_cells_of_at_least_ten_people(runner, session, app):
    load_demo(runner)
    with app.app_context():
        exports = compute_exports(
            session,
            granularities=("month",),
            k=app.config["RESEARCH_MIN_CELL"],
            registry=current_registry(),
            consent_version=app.config["RESEARCH_CONSENT_VERSION"],
            now=utcnow(),
        )
    published = [
        cell
        for cell in exports["month"].aggregates
        if cell.service == DEMO_SERVICE and not cell.suppressed
    ]
    assert published
    assert all(cell.n is not None and cell.n >= 10 for cell in published)


def counts(session) -> dict[str, int]:
    tables = {"users": User, "links": PeerLink, "consents": Consent, "checkins": Checkin}
    found = {
        name: session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in tables.items()
    }
    found["changes"] = session.scalar(sa.select(sa.func.count()).select_from(SyncChange))
    return found


def test_a_second_load_stores_nothing_new(runner, session):
    load_demo(runner)
    before = counts(session)
    output = load_demo(runner)
    assert "already loaded" in output
    assert f"0 stored, {before['checkins']} already there" in output
    assert counts(session) == before


def test_a_demo_loaded_before_the_caseload_gains_the_new_people(runner, session, app):
    # What an older `alongside demo` left: the service, its peer worker and Alex.
    demo_service = service.create_service(session, name=DEMO_SERVICE, now=utcnow())
    peer_worker = make_user(
        session, Role.PEER_WORKER, username="demo-peer", service_id=demo_service.id
    )
    alex = make_user(session, Role.SERVICE_USER, username="demo-alex", service_id=demo_service.id)
    service.link_to_peer_worker(session, service_user=alex, peer_worker=peer_worker, now=utcnow())
    session.flush()

    output = load_demo(runner)
    assert "already loaded" in output
    assert f"Added {len(DEMO_ACCOUNTS) - 2} demo accounts" in output
    links = session.scalar(
        sa.select(sa.func.count())
        .select_from(PeerLink)
        .where(PeerLink.peer_worker_id == peer_worker.id, PeerLink.ended_at.is_(None))
    )
    assert links == len(STORIES)
    credentials = (Path(app.instance_path) / "demo-accounts.txt").read_text()
    assert "demo-zac " in credentials
    assert "demo-bea " in credentials
