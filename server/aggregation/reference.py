"""A plain, one-person-at-a-time summariser: the specification the vectorised code must meet.

Written to be obviously right rather than fast, sharing no grouping code with
measures.py and regularity.py. Used only by tests and the benchmark.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from server.instruments.model import DomainScoring
from server.scoring.reliable_change import RELIABLE_RCI, difference_standard_error

DAY = 86_400.0
WEEK = 7 * DAY


@dataclass(frozen=True)
class ReferenceMeasure:
    """One person's summary of one measure; field meanings as in MeasureSummary."""

    count: int
    latest: float
    latest_at: float
    band: int
    mean_4w: float
    n_4w: int
    trend_per_week: float
    trend_n: int
    baseline: float
    baseline_at: float
    rci: float
    reliable_change: int
    deteriorated_at: float
    improved_at: float
    dropped_at: float
    crossings: int
    crossed_at: float
    crossing_direction: int
    worse_crossing_at: float
    better_crossing_at: float


@dataclass(frozen=True)
class ReferenceRegularity:
    """One person's check-in rhythm; field meanings as in CheckinRegularity."""

    total: int
    first_at: float
    last_at: float
    days_since_last: float
    recent: int
    per_week: float
    median_gap_days: float


NO_SCORES = ReferenceMeasure(
    count=0,
    latest=math.nan,
    latest_at=math.nan,
    band=-1,
    mean_4w=math.nan,
    n_4w=0,
    trend_per_week=math.nan,
    trend_n=0,
    baseline=math.nan,
    baseline_at=math.nan,
    rci=math.nan,
    reliable_change=0,
    deteriorated_at=math.nan,
    improved_at=math.nan,
    dropped_at=math.nan,
    crossings=0,
    crossed_at=math.nan,
    crossing_direction=0,
    worse_crossing_at=math.nan,
    better_crossing_at=math.nan,
)


def reference_measure(
    rule: DomainScoring, rows: Sequence[tuple[float, float]], now: float
) -> ReferenceMeasure:
    """Summarise one person's (time, score) rows, in effective-time order, NaN scores skipped."""
    scored = [(t, s) for t, s in rows if not math.isnan(s)]
    nan = math.nan
    if not scored:
        return NO_SCORES
    times = [t for t, _ in scored]
    scores = [s for _, s in scored]
    recent = [s for t, s in scored if t > now - 28 * DAY]
    window = [(t, s) for t, s in scored if t > now - 84 * DAY]

    rci, change, deteriorated_at, improved_at, dropped_at = nan, 0, nan, nan, nan
    if rule.reliable_change is not None:
        se = difference_standard_error(rule.reliable_change.sd, rule.reliable_change.reliability)
        if len(scores) >= 2:
            rci = (scores[-1] - scores[0]) / se
            change = _category(rci, rule)
        was_worse = was_better = False
        for index, (t, s) in enumerate(scored):
            category = _category((s - scores[0]) / se, rule)
            worse, better = category == -1, category == 1
            if worse and not was_worse:
                deteriorated_at = t
            if better and not was_better:
                improved_at = t
            was_worse, was_better = worse, better
            if index and _category((s - scores[index - 1]) / se, rule) == -1:
                dropped_at = t

    crossings, crossed_at, crossing_direction = 0, nan, 0
    worse_crossing_at = better_crossing_at = nan
    positions = [_band_position(rule, s) for s in scores]
    for index in range(1, len(scores)):
        if positions[index] != positions[index - 1]:
            up = positions[index] > positions[index - 1]
            better = up == (rule.direction == "higher_is_better")
            crossings += 1
            crossed_at = times[index]
            crossing_direction = 1 if better else -1
            if better:
                better_crossing_at = times[index]
            else:
                worse_crossing_at = times[index]
    latest_position = positions[-1]

    return ReferenceMeasure(
        count=len(scores),
        latest=scores[-1],
        latest_at=times[-1],
        band=-1 if latest_position == len(rule.bands) else latest_position,
        mean_4w=statistics.fmean(recent) if recent else nan,
        n_4w=len(recent),
        trend_per_week=_slope(window, now),
        trend_n=len(window),
        baseline=scores[0],
        baseline_at=times[0],
        rci=rci,
        reliable_change=change,
        deteriorated_at=deteriorated_at,
        improved_at=improved_at,
        dropped_at=dropped_at,
        crossings=crossings,
        crossed_at=crossed_at,
        crossing_direction=crossing_direction,
        worse_crossing_at=worse_crossing_at,
        better_crossing_at=better_crossing_at,
    )


def reference_regularity(times: Sequence[float], now: float) -> ReferenceRegularity:
    """One person's check-in rhythm from their check-in times in order."""
    if not times:
        return ReferenceRegularity(0, math.nan, math.nan, math.nan, 0, math.nan, math.nan)
    start = now - 8 * WEEK
    recent = [t for t in times if t > start]
    weeks = min(max((now - times[0]) / WEEK, 1.0), 8.0)
    gaps = [(b - a) / DAY for a, b in itertools.pairwise(times) if b > start]
    return ReferenceRegularity(
        total=len(times),
        first_at=times[0],
        last_at=times[-1],
        days_since_last=max((now - times[-1]) / DAY, 0.0),
        recent=len(recent),
        per_week=len(recent) / weeks,
        median_gap_days=statistics.median(gaps) if gaps else math.nan,
    )


def _category(rci: float, rule: DomainScoring) -> int:
    if not abs(rci) > RELIABLE_RCI:
        return 0
    up = 1 if rci > 0 else -1
    return up if rule.direction == "higher_is_better" else -up


def _band_position(rule: DomainScoring, score: float) -> int:
    for index, band in enumerate(rule.bands):
        if score <= band.upper:
            return index
    return len(rule.bands)


def _slope(window: Sequence[tuple[float, float]], now: float) -> float:
    if len(window) < 3 or window[-1][0] - window[0][0] < 14 * DAY:
        return math.nan
    weeks = [(t - now) / WEEK for t, _ in window]
    scores = [s for _, s in window]
    mean_x, mean_y = statistics.fmean(weeks), statistics.fmean(scores)
    sxx = sum((x - mean_x) ** 2 for x in weeks)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(weeks, scores, strict=True))
    return sxy / sxx if sxx > 0 else math.nan
