"""How regularly each person checks in, from the check-ins in one view (DESIGN.md section 8).

Definitions, and why:

- **Check-ins per week** counts check-ins after now - 8 weeks and divides by 8
  weeks, or by the time since the person's first check-in in the view when that
  is shorter (but never by less than one week): someone who joined a fortnight
  ago and checked in twice is checking in weekly, not a quarter as often.
- **Median gap** is the median of the days between consecutive check-ins, over
  the gaps that end in the last 8 weeks, so a return after a long silence counts.
  A median, unlike a mean, is not dragged by one long holiday.
- **Days since the last check-in** counts from now (never below zero: an
  effective time can run a few minutes ahead of the server's clock).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from server.aggregation.grouped import (
    FloatArray,
    IntArray,
    check_sorted,
    first_where,
    last_where,
    per_person_count,
    per_person_median,
    previous_in_person,
    read_only,
    take,
)
from server.aggregation.measures import SECONDS_PER_DAY, SECONDS_PER_WEEK

REGULARITY_WEEKS = 8


@dataclass(frozen=True)
class CheckinRegularity:
    """Check-in rhythm per person, indexed by person; NaN (or 0) where undefined; read-only."""

    total: IntArray  # check-ins in the view, ever
    first_at: FloatArray
    last_at: FloatArray
    days_since_last: FloatArray
    recent: IntArray  # check-ins in the last 8 weeks
    per_week: FloatArray  # recent / min(8 weeks, time since the first check-in, >= 1 week)
    median_gap_days: FloatArray  # over gaps ending in the last 8 weeks; NaN with none


def checkin_regularity(
    *, person: ArrayLike, time: ArrayLike, people: int, now: float
) -> CheckinRegularity:
    """Totals, recency, weekly rate and median gap from check-in times sorted by person, time."""
    person = np.asarray(person, dtype=np.int64)
    time = np.asarray(time, dtype=np.float64)
    check_sorted(person, time, people, "check-ins")
    every = np.ones(len(person), dtype=bool)
    first_at = take(time, first_where(person, people, every))
    last_at = take(time, last_where(person, people, every))

    recent_rows = time > now - REGULARITY_WEEKS * SECONDS_PER_WEEK
    recent = per_person_count(person, people, recent_rows)
    observed_weeks = np.clip((now - first_at) / SECONDS_PER_WEEK, 1.0, float(REGULARITY_WEEKS))
    per_week = np.where(np.isnan(first_at), np.nan, recent / np.nan_to_num(observed_weeks, nan=1.0))

    gap = time - previous_in_person(time, person)
    counted = recent_rows & ~np.isnan(gap)
    median_gap = per_person_median(gap[counted] / SECONDS_PER_DAY, person[counted], people)

    regularity = CheckinRegularity(
        total=per_person_count(person, people),
        first_at=first_at,
        last_at=last_at,
        days_since_last=np.maximum((now - last_at) / SECONDS_PER_DAY, 0.0),
        recent=recent,
        per_week=per_week,
        median_gap_days=median_gap,
    )
    read_only(*(v for v in vars(regularity).values() if isinstance(v, np.ndarray)))
    return regularity
