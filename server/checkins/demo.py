"""Demo check-ins: up to 12 weeks for each demo person, pushed like a phone would push them.

Everything is derived from a fixed seed per person and the demo service's creation time,
so loading again sends the very same changes: they come back ``duplicate`` and nothing is
stored twice. Who the people are and how their weeks go is data, in demo_stories.py: a
caseload a peer worker would recognise, so the summaries and concerns have something to
show.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import Role, User
from server.checkins.demo_stories import STORY_OF, URGENT_NOTE, Curve, Story
from server.checkins.push import push_changes
from server.instruments.registry import InstrumentRegistry

SEED = "alongside-demo-checkins/1"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://alongside.invalid/demo")

# Now and then one of these, for people whose story has no notes of its own.
NOTES = (
    "Went to the allotment group for the first time.",
    "Rough week, but I kept my appointment.",
    "Talked things through with my peer worker, helped a lot.",
    "Slept badly most nights.",
    "Saw an old friend for coffee.",
    "Felt more like myself by the weekend.",
    "Missed the walking group, might go next week.",
)
CHECKIN_ITEMS = (
    "trust_peer_worker",
    "trust_understood",
    "trust_own_pace",
    "hope_weeks_ahead",
    "hope_self_care",
    "hope_have_a_say",
    "connection_people",
    "connection_asking_services",
    "active_days",
)
WHO5_ITEMS = ("who5_cheerful", "who5_calm", "who5_active", "who5_rested", "who5_interest")
LONELIEST = 4  # ONS "often/always"


@dataclass(frozen=True)
class _Week:
    """Draws for one week of one story, in the order that keeps the demo data repeatable."""

    story: Story
    week: int
    rng: random.Random

    def level(self, curve: Curve, wobble: float) -> float:
        """Where the story's curve is this week, give or take a week's wobble."""
        return curve.at(self.week, self.story.weeks) + self.rng.gauss(0, wobble)

    def near(self, value: float, sd: float) -> float:
        """One item's answer around a level: items of one domain differ a little."""
        return value + self.rng.gauss(0, sd * self.story.item_noise)


def _scale(value: float, top: int) -> int:
    return max(0, min(top, round(value)))


def _checkin_answers(draw: _Week, *, met: bool) -> dict[str, Any]:
    story, rng = draw.story, draw.rng
    trust = draw.level(story.trust, story.wobble)
    hope = draw.level(story.hope, story.wobble)
    connection = draw.level(story.connection, story.wobble)
    no_contact = rng.random() < story.no_contact_rate and not met
    return {
        "trust_peer_worker": "na" if no_contact else _scale(trust, 10),
        "trust_understood": "na" if no_contact else _scale(draw.near(trust, 1), 10),
        "trust_own_pace": None if rng.random() < 0.3 else _scale(draw.near(trust, 1), 10),
        "hope_weeks_ahead": _scale(hope, 10),
        "hope_self_care": _scale(draw.near(hope, 1), 10),
        "hope_have_a_say": None if rng.random() < 0.2 else _scale(hope - 0.5, 10),
        "connection_people": _scale(connection, 10),
        "connection_asking_services": _scale(draw.near(connection, 1.2), 10),
        "active_days": _scale(draw.near(connection * 0.6, 1), 7),
    }


def _who5_answers(draw: _Week) -> dict[str, int]:
    level = draw.level(draw.story.wellbeing, draw.story.wellbeing_wobble)
    return {item: _scale(draw.near(level, 0.6), 5) for item in WHO5_ITEMS}


def _ons4_answers(draw: _Week) -> dict[str, int]:
    level = draw.level(draw.story.wellbeing, draw.story.wellbeing_wobble) * 2
    return {
        "ons_life_satisfaction": _scale(draw.near(level, 1), 10),
        "ons_worthwhile": _scale(draw.near(level + 1, 1), 10),
        "ons_happiness": _scale(draw.near(level, 1.5), 10),
        "ons_anxiety": _scale(draw.near(10 - level, 1.5), 10),
    }


def _responses(draw: _Week, *, met: bool) -> list[dict[str, Any]]:
    """The weekly check-in, WHO-5 fortnightly, ONS4 monthly, loneliness every fourth week."""
    story, week = draw.story, draw.week
    responses = [_response("alongside-checkin", _checkin_answers(draw, met=met))]
    if week % 2 == 0:
        responses.append(_response("who5", _who5_answers(draw)))
    if week % 4 == 1:
        responses.append(_response("ons4", _ons4_answers(draw)))
    if story.loneliness is not None and week % 4 == 3:
        lonely = _scale(draw.level(story.loneliness, story.wellbeing_wobble), LONELIEST)
        responses.append(_response("ons-loneliness", {"ons_lonely": lonely}))
    return responses


def _response(instrument: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    return {"instrument": instrument, "version": 1, "answers": dict(answers)}


def _urgent_responses() -> list[dict[str, Any]]:
    """Every answer at its worst: what the urgent rule is for (DESIGN.md section 11)."""
    return [
        _response("alongside-checkin", dict.fromkeys(CHECKIN_ITEMS, 0)),
        _response("who5", dict.fromkeys(WHO5_ITEMS, 0)),
        _response("ons-loneliness", {"ons_lonely": LONELIEST}),
    ]


def _recorded_at(first_week: datetime, week: int, rng: random.Random) -> datetime:
    day = first_week + timedelta(weeks=week, days=rng.randint(0, 2))
    hour, minute = rng.choice((8, 12, 18, 21)), rng.randint(0, 59)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


def _skipped(story: Story, week: int, rng: random.Random, *, pinned: bool) -> bool:
    """A week in the middle missed now and then (never one with a note to tell)."""
    if pinned or not 0 < week < story.weeks - 1 or week in (story.notes or {}):
        return False
    return rng.random() < story.skip_rate


def _note(story: Story, week: int, rng: random.Random) -> str | None:
    if story.notes is not None:
        return story.notes.get(week)
    return rng.choice(NOTES) if rng.random() < 0.25 else None


def _checkin(
    story: Story, week: int, rng: random.Random, *, first_week: datetime
) -> dict[str, Any] | None:
    """One week's check-in as the phone sends it, or None for a week without one."""
    last_shared = story.weeks - 1 - story.quiet_weeks
    quiet = week > last_shared
    pinned = story.pin_ends and week in (0, last_shared)
    if quiet and not story.private_when_quiet:
        return None
    if _skipped(story, week, rng, pinned=pinned):
        return None
    recorded_at = _recorded_at(first_week, week, rng)
    shared = rng.random() < story.share_rate
    if pinned:
        shared = story.share_rate > 0
    if quiet:
        shared = False
    data: dict[str, Any] = {
        "recorded_at": recorded_at.isoformat(),
        "shared": shared,
        "responses": _responses(_Week(story, week, rng), met=pinned),
    }
    note = _note(story, week, rng)
    if note is not None:
        data["note"] = note
    return data


def _urgent_checkin(anchor: datetime) -> dict[str, Any]:
    """A day before the anchor, shared, and every answer as low as it goes."""
    recorded_at = (anchor - timedelta(hours=28)).replace(second=0, microsecond=0)
    return {
        "recorded_at": recorded_at.isoformat(),
        "shared": True,
        "responses": _urgent_responses(),
        "note": URGENT_NOTE,
    }


def demo_changes(username: str, *, anchor: datetime) -> list[dict[str, Any]]:
    """The push changes for one demo person: weekly check-ins ending a few days before anchor."""
    story = STORY_OF[username]
    rng = random.Random(f"{SEED}/{username}")  # noqa: S311  (repeatable demo data, not secrets)
    first_week = anchor - timedelta(weeks=story.weeks - 1, days=3)
    changes: list[dict[str, Any]] = []
    for week in range(story.weeks):
        data: dict[str, Any] | None = (
            _urgent_checkin(anchor)
            if story.urgent and week == story.weeks - 1
            else _checkin(story, week, rng, first_week=first_week)
        )
        if data is None:
            continue
        recorded_at = datetime.fromisoformat(data["recorded_at"])
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
