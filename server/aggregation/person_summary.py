"""Every measure and the check-in rhythm for many people, and one person's summary as JSON.

The job computes one PersonSummaries per view (shared, own) for the people it
recomputes, then stores person_document() for each person, sealed (DESIGN.md
sections 5 and 8). Person index i means whatever the job's i-th person is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from server.aggregation.measures import MeasureSeries, MeasureSummary, summarise_measure
from server.aggregation.regularity import CheckinRegularity, checkin_regularity
from server.scoring.engine import band_label

SUMMARY_FORMAT = 1
# Scores kept per measure for charts: a year of weekly check-ins.
SERIES_POINTS = 52


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
    return person_documents(summaries=summaries)[person]


def person_documents(*, summaries: PersonSummaries) -> list[dict[str, Any]]:
    """Every person's document, indexed by person (columns converted once, not per person)."""
    rhythm = summaries.regularity
    computed_at = _instants(np.array([summaries.now]))[0]
    first_at, last_at = _instants(rhythm.first_at), _instants(rhythm.last_at)
    total, recent = rhythm.total.tolist(), rhythm.recent.tolist()
    days_since, per_week = _numbers(rhythm.days_since_last), _numbers(rhythm.per_week)
    median_gap = _numbers(rhythm.median_gap_days)
    measures = [(key, _MeasureColumns(summary)) for key, summary in summaries.measures.items()]
    documents = []
    for person in range(summaries.people):
        documents.append(
            {
                "format": SUMMARY_FORMAT,
                "computed_at": computed_at,
                "checkins": {
                    "total": total[person],
                    "first_at": first_at[person],
                    "last_at": last_at[person],
                    "days_since_last": days_since[person],
                    "last_8_weeks": recent[person],
                    "per_week": per_week[person],
                    "median_gap_days": median_gap[person],
                },
                "measures": {
                    key: columns.document(person)
                    for key, columns in measures
                    if columns.count[person] > 0
                },
            }
        )
    return documents


class _MeasureColumns:
    """One measure's arrays as Python lists, so building a document is plain indexing."""

    def __init__(self, summary: MeasureSummary) -> None:
        rule = summary.rule
        self.fixed = {
            "label": rule.label,
            "mechanism": rule.mechanism,
            "direction": rule.direction,
        }
        self.threshold = _numbers(np.array([summary.reliable_change_threshold]))[0]
        self.provisional = summary.provisional
        self.count = summary.count.tolist()
        self.bands = [band_label(rule, band) for band in summary.band.tolist()]
        self.numbers = {
            name: _numbers(getattr(summary, name))
            for name in ("latest", "mean_4w", "trend_per_week", "baseline", "rci")
        }
        self.instants = {
            name: _instants(getattr(summary, name))
            for name in (
                "latest_at",
                "baseline_at",
                "deteriorated_at",
                "improved_at",
                "dropped_at",
                "crossed_at",
                "worse_crossing_at",
                "better_crossing_at",
            )
        }
        self.series = _recent_series(summary, SERIES_POINTS)
        self.n_4w = summary.n_4w.tolist()
        self.trend_n = summary.trend_n.tolist()
        self.crossings = summary.crossings.tolist()
        self.change = [_change_word(v) for v in summary.reliable_change.tolist()]
        self.crossing = [_change_word(v) for v in summary.crossing_direction.tolist()]

    def document(self, person: int) -> dict[str, Any]:
        numbers, instants = self.numbers, self.instants
        return {
            **self.fixed,
            "count": self.count[person],
            "latest": numbers["latest"][person],
            "latest_at": instants["latest_at"][person],
            "band": self.bands[person],
            "mean_4w": numbers["mean_4w"][person],
            "n_4w": self.n_4w[person],
            "trend_per_week": numbers["trend_per_week"][person],
            "trend_n": self.trend_n[person],
            "baseline": numbers["baseline"][person],
            "baseline_at": instants["baseline_at"][person],
            "rci": numbers["rci"][person],
            "reliable_change": self.change[person],
            "reliable_change_threshold": self.threshold,
            "provisional": self.provisional,
            "deteriorated_at": instants["deteriorated_at"][person],
            "improved_at": instants["improved_at"][person],
            "dropped_at": instants["dropped_at"][person],
            "band_crossings": self.crossings[person],
            "crossed_at": instants["crossed_at"][person],
            "crossing": self.crossing[person],
            "worse_crossing_at": instants["worse_crossing_at"][person],
            "better_crossing_at": instants["better_crossing_at"][person],
            "series": self.series[person],
        }


def _recent_series(summary: MeasureSummary, points: int) -> list[list[list[Any]]]:
    """Per person, their last ``points`` scores as [time, score] pairs, oldest first."""
    person, time, score = summary.rows
    people = len(summary.count)
    # Rows are sorted by person: a row is among its person's last k when fewer than k
    # of that person's rows come after it.
    ends = np.cumsum(np.bincount(person, minlength=people))
    keep = (ends[person] - np.arange(len(person))) <= points
    kept_person = person[keep].tolist()
    pairs = zip(_instants(time[keep]), score[keep].tolist(), strict=True)
    found: list[list[list[Any]]] = [[] for _ in range(people)]
    for index, (at, value) in zip(kept_person, pairs, strict=True):
        found[index].append([at, value])
    return found


def _change_word(direction: int) -> str | None:
    return {1: "better", -1: "worse"}.get(direction)


def _numbers(values: NDArray[np.floating[Any]]) -> list[float | None]:
    return [None if math.isnan(v) else v for v in values.tolist()]


def _instants(seconds: NDArray[np.floating[Any]]) -> list[str | None]:
    """ISO 8601 UTC to the second ("2026-11-23T12:00:00Z"), None for NaN; vectorised."""
    missing = np.isnan(seconds)
    whole = np.floor(np.where(missing, 0.0, seconds)).astype(np.int64).astype("datetime64[s]")
    text = np.datetime_as_string(whole, unit="s").tolist()
    return [
        None if gone else f"{moment}Z" for moment, gone in zip(text, missing.tolist(), strict=True)
    ]
