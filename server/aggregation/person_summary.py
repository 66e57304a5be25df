"""Every measure and the check-in rhythm for many people, and one person's summary as JSON.

The job computes one PersonSummaries per view (shared, own) for the people it
recomputes, then stores person_document() for each person, sealed (DESIGN.md
sections 5 and 8). Person index i means whatever the job's i-th person is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from server.aggregation.measures import MeasureSeries, MeasureSummary, summarise_measure
from server.aggregation.regularity import CheckinRegularity, checkin_regularity
from server.scoring.engine import band_label

SUMMARY_FORMAT = 1


@dataclass(frozen=True)
class PersonSummaries:
    """Summaries of many people in one view: per measure (by key text) and check-in rhythm."""

    people: int
    now: float  # time of computation, POSIX seconds
    measures: Mapping[str, MeasureSummary]
    regularity: CheckinRegularity


def summarise_people(
    *,
    people: int,
    series: Sequence[MeasureSeries],
    checkin_person: ArrayLike,
    checkin_time: ArrayLike,
    now: float,
) -> PersonSummaries:
    """Summarise each measure and the check-in rhythm of people 0..people-1 as of now."""
    if people < 0:
        raise ValueError("people must not be negative")
    keys = [str(s.key) for s in series]
    if len(set(keys)) != len(keys):
        raise ValueError("each measure may appear only once")
    measures = {str(s.key): summarise_measure(series=s, people=people, now=now) for s in series}
    regularity = checkin_regularity(
        person=checkin_person, time=checkin_time, people=people, now=now
    )
    return PersonSummaries(people=people, now=now, measures=measures, regularity=regularity)


def person_document(*, summaries: PersonSummaries, person: int) -> dict[str, Any]:
    """One person's summary as JSON-ready values: measures they have scores for, and rhythm."""
    if not 0 <= person < summaries.people:
        raise IndexError(f"person {person} is not in 0..{summaries.people - 1}")
    rhythm = summaries.regularity
    measures = {
        key: _measure_document(summary, person)
        for key, summary in summaries.measures.items()
        if summary.count[person] > 0
    }
    return {
        "format": SUMMARY_FORMAT,
        "computed_at": _instant(summaries.now),
        "checkins": {
            "total": int(rhythm.total[person]),
            "first_at": _instant(rhythm.first_at[person]),
            "last_at": _instant(rhythm.last_at[person]),
            "days_since_last": _number(rhythm.days_since_last[person]),
            "last_8_weeks": int(rhythm.recent[person]),
            "per_week": _number(rhythm.per_week[person]),
            "median_gap_days": _number(rhythm.median_gap_days[person]),
        },
        "measures": measures,
    }


def _measure_document(summary: MeasureSummary, person: int) -> dict[str, Any]:
    rule = summary.rule
    return {
        "label": rule.label,
        "mechanism": rule.mechanism,
        "direction": rule.direction,
        "count": int(summary.count[person]),
        "latest": _number(summary.latest[person]),
        "latest_at": _instant(summary.latest_at[person]),
        "band": band_label(rule, int(summary.band[person])),
        "mean_4w": _number(summary.mean_4w[person]),
        "n_4w": int(summary.n_4w[person]),
        "trend_per_week": _number(summary.trend_per_week[person]),
        "trend_n": int(summary.trend_n[person]),
        "baseline": _number(summary.baseline[person]),
        "baseline_at": _instant(summary.baseline_at[person]),
        "rci": _number(summary.rci[person]),
        "reliable_change": _change_word(int(summary.reliable_change[person])),
        "reliable_change_threshold": _number(summary.reliable_change_threshold),
        "provisional": summary.provisional,
        "deteriorated_at": _instant(summary.deteriorated_at[person]),
        "dropped_at": _instant(summary.dropped_at[person]),
        "band_crossings": int(summary.crossings[person]),
        "crossed_at": _instant(summary.crossed_at[person]),
        "crossing": _change_word(int(summary.crossing_direction[person])),
        "worse_crossing_at": _instant(summary.worse_crossing_at[person]),
    }


def _change_word(direction: int) -> str | None:
    return {1: "better", -1: "worse"}.get(direction)


def _number(value: float | np.floating[Any]) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


def _instant(value: float | np.floating[Any]) -> str | None:
    seconds = float(value)
    if math.isnan(seconds):
        return None
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
