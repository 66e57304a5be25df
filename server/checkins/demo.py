"""Demo check-ins: 8 to 12 weeks for each demo person, pushed like a phone would push them.

Everything is derived from a fixed seed and the demo service's creation time, so loading
again sends the very same changes: they come back ``duplicate`` and nothing is stored
twice. The three people differ on purpose, so the peer worker's summaries have something
to show: Alex improves, Bea holds steady with ups and downs, Cal drifts lower and checks
in less often.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import Role, User
from server.checkins.push import push_changes
from server.instruments.registry import InstrumentRegistry

SEED = "alongside-demo-checkins/1"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://alongside.invalid/demo")

NOTES = (
    "Went to the allotment group for the first time.",
    "Rough week, but I kept my appointment.",
    "Talked things through with my peer worker, helped a lot.",
    "Slept badly most nights.",
    "Saw an old friend for coffee.",
    "Felt more like myself by the weekend.",
    "Missed the walking group, might go next week.",
)


@dataclass(frozen=True)
class Trajectory:
    """How one person's answers move over the weeks (0-10 scales unless noted)."""

    weeks: int
    trust: tuple[float, float]  # start, end
    hope: tuple[float, float]
    connection: tuple[float, float]
    wellbeing: tuple[float, float]  # WHO-5 item level, 0-5
    share_rate: float
    skip_rate: float  # weeks with no check-in at all
    no_contact_rate: float  # weeks without meeting the peer worker: trust is "na"


TRAJECTORIES = {
    "demo-alex": Trajectory(12, (6, 9), (3, 7.5), (3, 7), (1.5, 3.8), 0.85, 0.05, 0.1),
    "demo-bea": Trajectory(10, (5, 7), (5, 5.5), (5, 6), (2.6, 2.9), 0.5, 0.1, 0.25),
    "demo-cal": Trajectory(9, (6, 5), (6, 3), (5, 2.5), (3.0, 1.4), 0.25, 0.3, 0.2),
}


def _level(span: tuple[float, float], week: int, weeks: int, rng: random.Random) -> float:
    start, end = span
    return start + (end - start) * week / max(weeks - 1, 1) + rng.gauss(0, 0.8)


def _scale(value: float, top: int) -> int:
    return max(0, min(top, round(value)))


def _responses(path: Trajectory, week: int, rng: random.Random) -> list[dict[str, Any]]:
    trust = _level(path.trust, week, path.weeks, rng)
    hope = _level(path.hope, week, path.weeks, rng)
    connection = _level(path.connection, week, path.weeks, rng)
    no_contact = rng.random() < path.no_contact_rate
    checkin: dict[str, Any] = {
        "trust_peer_worker": "na" if no_contact else _scale(trust, 10),
        "trust_understood": "na" if no_contact else _scale(trust + rng.gauss(0, 1), 10),
        "trust_own_pace": None if rng.random() < 0.3 else _scale(trust + rng.gauss(0, 1), 10),
        "hope_weeks_ahead": _scale(hope, 10),
        "hope_self_care": _scale(hope + rng.gauss(0, 1), 10),
        "hope_have_a_say": None if rng.random() < 0.2 else _scale(hope - 0.5, 10),
        "connection_people": _scale(connection, 10),
        "connection_asking_services": _scale(connection + rng.gauss(0, 1.2), 10),
        "active_days": _scale(connection * 0.6 + rng.gauss(0, 1), 7),
    }
    responses = [{"instrument": "alongside-checkin", "version": 1, "answers": checkin}]
    if week % 2 == 0:  # WHO-5 fortnightly
        level = _level(path.wellbeing, week, path.weeks, rng)
        items = ("who5_cheerful", "who5_calm", "who5_active", "who5_rested", "who5_interest")
        who5 = {item: _scale(level + rng.gauss(0, 0.6), 5) for item in items}
        responses.append({"instrument": "who5", "version": 1, "answers": who5})
    if week % 4 == 1:  # ONS4 monthly
        level = _level(path.wellbeing, week, path.weeks, rng) * 2
        ons4 = {
            "ons_life_satisfaction": _scale(level + rng.gauss(0, 1), 10),
            "ons_worthwhile": _scale(level + 1 + rng.gauss(0, 1), 10),
            "ons_happiness": _scale(level + rng.gauss(0, 1.5), 10),
            "ons_anxiety": _scale(10 - level + rng.gauss(0, 1.5), 10),
        }
        responses.append({"instrument": "ons4", "version": 1, "answers": ons4})
    return responses


def demo_changes(username: str, *, anchor: datetime) -> list[dict[str, Any]]:
    """The push changes for one demo person: weekly check-ins ending a few days before anchor."""
    path = TRAJECTORIES[username]
    rng = random.Random(f"{SEED}/{username}")  # noqa: S311  (repeatable demo data, not secrets)
    first_week = anchor - timedelta(weeks=path.weeks - 1, days=3)
    changes: list[dict[str, Any]] = []
    for week in range(path.weeks):
        if 0 < week < path.weeks - 1 and rng.random() < path.skip_rate:
            continue
        recorded_at = (first_week + timedelta(weeks=week, days=rng.randint(0, 2))).replace(
            hour=rng.choice((8, 12, 18, 21)), minute=rng.randint(0, 59), second=0, microsecond=0
        )
        data: dict[str, Any] = {
            "recorded_at": recorded_at.isoformat(),
            "shared": rng.random() < path.share_rate,
            "responses": _responses(path, week, rng),
        }
        if rng.random() < 0.25:
            data["note"] = rng.choice(NOTES)
        changes.append(
            {
                "change_id": str(uuid.uuid5(_NAMESPACE, f"{username}/change/{week}")),
                "id": str(uuid.uuid5(_NAMESPACE, f"{username}/checkin/{week}")),
                "op": "put",
                "base_rev": None,
                "changed_at": (recorded_at + timedelta(minutes=2)).isoformat(),
                "data": data,
            }
        )
    return changes


def load_demo_checkins(
    session: Session,
    *,
    people: list[User],
    anchor: datetime,
    registry: InstrumentRegistry,
    now: datetime,
) -> Counter[str]:
    """Push each demo person's check-ins through the real push path; counts results by status."""
    statuses: Counter[str] = Counter()
    for person in people:
        actor = Actor(person.id, Role.SERVICE_USER, person.service_id)
        device = uuid.uuid5(_NAMESPACE, f"{person.username}/phone")
        body = {"device_id": str(device), "changes": demo_changes(person.username, anchor=anchor)}
        outcome = push_changes(session, actor=actor, body=body, registry=registry, now=now)
        statuses.update(result["status"] for result in outcome.results)
    return statuses
