"""The rules that raise concerns from a person's shared summary (DESIGN.md §11).

Pure functions of a stored summary document (shared view), the person's most recent
very low check-in, and the time: no database, no clock. Each measure yields at most
one candidate, the most pressing: a worry before good news, a lasting change since
they started before a single sharp drop, a drop before a move between ranges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from server.concerns.words import (
    DOMAINS,
    listed,
    low_answer_words,
    number,
    peer_label,
    peer_measure,
    quiet_message,
)

# Events (a drop, a move between ranges) older than this are history, not news.
EVENT_WINDOW = timedelta(days=28)
# "Gone quiet": no shared check-in for twice their usual gap, and never under two weeks.
QUIET_MIN_DAYS = 14
QUIET_GAPS = 2
URGENT_MEASURE = "checkin"
# Concerns about change follow the change model's four measures only. The other scales
# (single life-satisfaction questions, loneliness categories) move a step between their
# ranges from month to month within measurement error: flagging those would bury the
# signal. Very low answers on any of them still raise the urgent concern.
CHANGE_MODEL = tuple(name for name, *_ in DOMAINS)
QUIET_MEASURE = "rhythm"
RANGE_STEP_SHARE = 0.5


@dataclass(frozen=True)
class Candidate:
    """A concern (or good news) the rules find now; stored unless it was raised before."""

    measure: str
    kind: str
    at: str  # ISO time of the check-in it is about (for quiet: their last shared one)
    concern: bool
    message: str
    urgent: bool = False

    @property
    def signature(self) -> str:
        """Names the event, so one followed up is not raised again."""
        return f"{self.kind}|{self.at}"


@dataclass(frozen=True)
class LowCheckin:
    """A person's most recent shared check-in with answers under the service's thresholds."""

    at: str
    measures: tuple[tuple[str, str], ...]  # (measure key, definition label) that were very low


def candidates(
    document: Mapping[str, Any] | None, low: LowCheckin | None, now: datetime
) -> list[Candidate]:
    """Every candidate for one person, at most one per measure, urgent first."""
    found: dict[str, Candidate] = {}
    if low is not None:
        found[URGENT_MEASURE] = _urgent(low)
    quiet = quiet_days(document)
    if quiet is not None:
        last_at = (document or {})["checkins"]["last_at"]
        found[QUIET_MEASURE] = Candidate(
            QUIET_MEASURE, "quiet", last_at, True, quiet_message(quiet)
        )
    measures: Mapping[str, Any] = (document or {}).get("measures") or {}
    # Newest version last, so a measure asked in two versions speaks from the newer.
    for key, entry in sorted(measures.items(), key=lambda item: item[1].get("latest_at") or ""):
        if peer_measure(key) not in CHANGE_MODEL:
            continue
        candidate = _measure_candidate(key, entry, now)
        if candidate is not None:
            found[candidate.measure] = candidate
    return sorted(found.values(), key=order)


def order(concern: Candidate | Any) -> tuple[bool, bool, int]:
    """Urgent first, then worries, then good news; within each, along the change model."""
    place = CHANGE_MODEL.index(concern.measure) if concern.measure in CHANGE_MODEL else -1
    return (not concern.urgent, not concern.concern, place)


def quiet_days(document: Mapping[str, Any] | None) -> int | None:
    """Whole days since their last shared check-in, when that is longer than usual for them."""
    checkins = (document or {}).get("checkins") or {}
    days = checkins.get("days_since_last")
    if not checkins.get("total") or days is None:
        return None
    usual = checkins.get("median_gap_days") or 0.0
    if days < max(QUIET_MIN_DAYS, QUIET_GAPS * usual):
        return None
    return int(days)


def _urgent(low: LowCheckin) -> Candidate:
    what = listed([low_answer_words(key, label) for key, label in low.measures])
    message = f"Very low answers in a shared check-in: {what}. They may need a conversation soon."
    return Candidate(URGENT_MEASURE, "urgent", low.at, True, message, urgent=True)


def _measure_candidate(key: str, entry: Mapping[str, Any], now: datetime) -> Candidate | None:
    label = peer_label(key, entry.get("label", key))
    measure = peer_measure(key)
    higher_better = entry.get("direction") != "lower_is_better"
    start, latest = entry.get("baseline"), entry.get("latest")
    change = entry.get("reliable_change")

    def recent(at: str | None) -> bool:
        return at is not None and instant(at) > now - EVENT_WINDOW

    def since_start(worse: bool) -> str:
        verb = "dropped" if worse == higher_better else "risen"
        said = f"{label} has {verb} a lot since they started"
        if start is None or latest is None:
            return said
        return f"{said}: from {number(start)} to {number(latest)}"

    if change == "worse" and entry.get("deteriorated_at"):
        return Candidate(
            measure, "worse_since_start", entry["deteriorated_at"], True, since_start(True)
        )
    dropped_at: str | None = entry.get("dropped_at")
    if dropped_at is not None and recent(dropped_at):
        return Candidate(
            measure, "sharp_drop", dropped_at, True, _sharp_drop(label, entry, higher_better)
        )
    if entry.get("crossing") == "worse" and _real_move(entry, "worse_crossing_at", recent):
        message = f"{label} has moved into a worse range: now “{entry.get('band')}”"
        return Candidate(measure, "worse_range", entry["worse_crossing_at"], True, message)
    if change == "better" and entry.get("improved_at"):
        return Candidate(
            measure, "better_since_start", entry["improved_at"], False, since_start(False)
        )
    if entry.get("crossing") == "better" and _real_move(entry, "better_crossing_at", recent):
        band = entry.get("band")
        where = f"now “{band}”" if band else "out of the low range"
        message = f"{label} has moved into a better range: {where}"
        return Candidate(measure, "better_range", entry["better_crossing_at"], False, message)
    return None


def _real_move(entry: Mapping[str, Any], field: str, recent: Callable[[str], bool]) -> bool:
    """A recent move across a band line that is more than jitter around the line.

    A score of 52 then 48 crosses WHO-5's line at 50 but is well inside measurement
    error; only a step of at least half the smallest reliable change counts.
    """
    at = entry.get(field)
    if at is None or not recent(at):
        return False
    series = entry.get("series") or []
    times = [when for when, _ in series]
    index = times.index(at) if at in times else 0
    threshold = entry.get("reliable_change_threshold")
    if index == 0 or threshold is None:
        return False
    return abs(series[index][1] - series[index - 1][1]) >= RANGE_STEP_SHARE * threshold


def _sharp_drop(label: str, entry: Mapping[str, Any], higher_better: bool) -> str:
    said = f"{label} {'fell' if higher_better else 'rose'} sharply from one check-in to the next"
    series = entry.get("series") or []
    times = [at for at, _ in series]
    index = times.index(entry["dropped_at"]) if entry["dropped_at"] in times else 0
    if index > 0:
        return f"{said}: from {number(series[index - 1][1])} to {number(series[index][1])}"
    return said


def instant(text: str) -> datetime:
    """A stored ISO time ("...Z") as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso_second(seconds: float) -> str:
    """POSIX seconds as summary documents write times ("2026-11-23T12:00:00Z"), so a
    check-in's time and an event's compare as text."""
    return datetime.fromtimestamp(math.floor(seconds), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
