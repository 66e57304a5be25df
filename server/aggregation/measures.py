"""One measure summarised for many people at once (DESIGN.md section 8, issue 7).

The caller has already chosen the view (shared check-ins only for the peer worker,
all of them for the person) and passes, per measure, the scored occasions as rows
sorted by person index and then effective time (DESIGN.md section 4). Times are
POSIX seconds (UTC); "now" is the time of computation, passed in, never read here.

Definitions, and why:

- **Baseline** is the person's first score in the view. Jacobson & Truax (1991)
  compare two single administrations, and the SD and reliability in a domain's
  definition describe single administrations, so a single first score is what the
  RCI's standard error is built for (a mean of several would make it conservative
  by an unknown amount). It also never moves as new check-ins arrive, so "reliable
  change since you started" keeps one meaning. Each view has its own baseline:
  the peer worker's is the first *shared* score.
- **4-week mean**: scores with effective time after now - 28 days.
- **Trend**: least-squares slope in points per week over scores after now - 84
  days (12 weeks: about 12 weekly check-ins, 6 fortnightly WHO-5s, 3 monthly
  ONS4s), defined only with at least 3 such scores spanning at least 14 days; a
  slope through points a day apart says more about noise than direction.
- **Reliable deterioration event**: a score reliably worse than the baseline
  (RCI beyond 1.96 in the worse direction) when the person's previous score was
  not. Staying reliably worse is one event, not one per check-in, so a caseload
  flag raised by it clears once the peer worker has looked.
- **Reliable improvement event**: the mirror image, a score reliably better than the
  baseline when the previous score was not; good news is raised once per episode too.
- **Reliable drop**: a score reliably worse than the person's previous score,
  whatever the baseline: a sharp fall after a good spell, which baseline-relative
  change can miss.
- **Band crossing**: two consecutive scores in different bands (bands as in the
  definition, upper bounds inclusive; above the last bound counts as a band of
  its own). Better or worse follows the domain's direction.

Event times are NaN where there was no such event; the caseload flags a person
when one is later than the peer worker's last look.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from server.aggregation.grouped import (
    BoolArray,
    FloatArray,
    IntArray,
    check_sorted,
    first_where,
    last_where,
    per_person_count,
    per_person_sum,
    previous_in_person,
    read_only,
    take,
)
from server.aggregation.measure_key import MeasureKey
from server.instruments.model import DomainScoring
from server.scoring.reliable_change import (
    DETERIORATED,
    IMPROVED,
    RELIABLE_RCI,
    difference_standard_error,
    reliable_change,
)

Int8Array = NDArray[np.int8]

SECONDS_PER_DAY = 86_400.0
SECONDS_PER_WEEK = 7 * SECONDS_PER_DAY
RECENT_MEAN_DAYS = 28
TREND_WINDOW_DAYS = 84
TREND_MIN_SCORES = 3
TREND_MIN_SPAN_DAYS = 14

BETTER = 1
WORSE = -1


@dataclass(frozen=True)
class MeasureSeries:
    """One measure's scores for many people: rows sorted by person index, then effective time."""

    key: MeasureKey
    rule: DomainScoring
    person: ArrayLike  # person index, 0 <= person < people
    time: ArrayLike  # effective time, POSIX seconds
    score: ArrayLike  # NaN rows (not scorable) are ignored


@dataclass(frozen=True)
class MeasureSummary:
    """One measure for every person, indexed by person; NaN (or 0) where undefined; read-only."""

    key: MeasureKey
    rule: DomainScoring
    provisional: bool  # the reliable-change SD and reliability are planning values
    reliable_change_threshold: float  # smallest reliable change in points; NaN without parameters
    count: IntArray  # scores in the view
    latest: FloatArray  # most recent score
    latest_at: FloatArray
    band: IntArray  # band of the latest score, index into rule.bands; -1 for none
    mean_4w: FloatArray  # mean of the scores in the last 28 days
    n_4w: IntArray
    trend_per_week: FloatArray  # least-squares slope, points per week, last 84 days
    trend_n: IntArray  # scores in the trend window (the slope needs 3 over 14 days)
    baseline: FloatArray  # first score in the view
    baseline_at: FloatArray
    rci: FloatArray  # Jacobson-Truax RCI of latest against baseline; NaN below two scores
    reliable_change: Int8Array  # +1 reliably better, -1 reliably worse, 0 neither
    deteriorated_at: FloatArray  # most recent move into reliable deterioration from baseline
    improved_at: FloatArray  # most recent move into reliable improvement from baseline
    dropped_at: FloatArray  # most recent score reliably worse than the one before it
    crossings: IntArray  # band changes between consecutive scores
    crossed_at: FloatArray  # most recent band crossing
    crossing_direction: Int8Array  # of the most recent crossing: +1 better, -1 worse, 0 none
    worse_crossing_at: FloatArray  # most recent crossing into a worse band
    better_crossing_at: FloatArray  # most recent crossing into a better band
    # The scored rows themselves (person, time, score), for series a screen can draw.
    rows: tuple[IntArray, FloatArray, FloatArray]


def summarise_measure(*, series: MeasureSeries, people: int, now: float) -> MeasureSummary:
    """Latest, 4-week mean, trend, reliable change, bands and event times for every person."""
    person, time, score = _rows(series, people)
    rule = series.rule
    count = per_person_count(person, people)
    first = first_where(person, people, np.ones(len(person), dtype=bool))
    last = last_where(person, people, np.ones(len(person), dtype=bool))
    latest, baseline = take(score, last), take(score, first)

    recent = time > now - RECENT_MEAN_DAYS * SECONDS_PER_DAY
    n_4w = per_person_count(person, people, recent)
    mean_4w = _divide(per_person_sum(score, person, people, recent), n_4w)
    trend, trend_n = _trend(person, time, score, people, now)

    rci, category, deteriorated_at, improved_at, dropped_at = _reliable_change(
        rule, person, time, score, people, baseline, latest, count
    )
    band, crossings, crossed_at, direction, worse_at, better_at = _bands(
        rule, person, time, score, people
    )
    parameters = rule.reliable_change
    summary = MeasureSummary(
        key=series.key,
        rule=rule,
        provisional=parameters.provisional if parameters else False,
        reliable_change_threshold=(
            RELIABLE_RCI * difference_standard_error(parameters.sd, parameters.reliability)
            if parameters
            else float("nan")
        ),
        count=count,
        latest=latest,
        latest_at=take(time, last),
        band=band,
        mean_4w=mean_4w,
        n_4w=n_4w,
        trend_per_week=trend,
        trend_n=trend_n,
        baseline=baseline,
        baseline_at=take(time, first),
        rci=rci,
        reliable_change=category,
        deteriorated_at=deteriorated_at,
        improved_at=improved_at,
        dropped_at=dropped_at,
        crossings=crossings,
        crossed_at=crossed_at,
        crossing_direction=direction,
        worse_crossing_at=worse_at,
        better_crossing_at=better_at,
        rows=(person, time, score),
    )
    read_only(
        *(v for v in vars(summary).values() if isinstance(v, np.ndarray)), person, time, score
    )
    return summary


def _rows(series: MeasureSeries, people: int) -> tuple[IntArray, FloatArray, FloatArray]:
    person = np.asarray(series.person, dtype=np.int64)
    time = np.asarray(series.time, dtype=np.float64)
    score = np.asarray(series.score, dtype=np.float64)
    if score.shape != person.shape:
        raise ValueError(f"{series.key}: person, time and score must have equal lengths")
    check_sorted(person, time, people, str(series.key))
    if np.isinf(score).any():
        raise ValueError(f"{series.key}: scores must be finite or NaN")
    # An occasion the engine could not score (NaN) is not a score: drop it, order kept.
    scored = ~np.isnan(score)
    return person[scored], time[scored], score[scored]


def _divide(total: FloatArray, count: IntArray) -> FloatArray:
    result = np.full(len(total), np.nan)
    np.divide(total, count, out=result, where=count > 0)
    return result


def _trend(
    person: IntArray, time: FloatArray, score: FloatArray, people: int, now: float
) -> tuple[FloatArray, IntArray]:
    window = time > now - TREND_WINDOW_DAYS * SECONDS_PER_DAY
    n = per_person_count(person, people, window)
    # Weeks relative to now keep the numbers small; two passes (means, then
    # centred sums) avoid the cancellation of the one-pass textbook formula.
    weeks = (time - now) / SECONDS_PER_WEEK
    mean_weeks = _divide(per_person_sum(weeks, person, people, window), n)
    mean_score = _divide(per_person_sum(score, person, people, window), n)
    dx = np.where(window, weeks - mean_weeks[person], 0.0)
    dy = np.where(window, score - mean_score[person], 0.0)
    sxx = per_person_sum(dx * dx, person, people)
    sxy = per_person_sum(dx * dy, person, people)
    span = take(time, last_where(person, people, window)) - take(
        time, first_where(person, people, window)
    )
    defined = (n >= TREND_MIN_SCORES) & (span >= TREND_MIN_SPAN_DAYS * SECONDS_PER_DAY) & (sxx > 0)
    slope = np.full(people, np.nan)
    np.divide(sxy, sxx, out=slope, where=defined)
    return slope, n


def _reliable_change(
    rule: DomainScoring,
    person: IntArray,
    time: FloatArray,
    score: FloatArray,
    people: int,
    baseline: FloatArray,
    latest: FloatArray,
    count: IntArray,
) -> tuple[FloatArray, Int8Array, FloatArray, FloatArray, FloatArray]:
    nothing = np.full(people, np.nan)
    parameters = rule.reliable_change
    if parameters is None:
        return (
            nothing,
            np.zeros(people, dtype=np.int8),
            nothing.copy(),
            nothing.copy(),
            nothing.copy(),
        )
    compare = functools.partial(
        reliable_change,
        sd=parameters.sd,
        reliability=parameters.reliability,
        direction=rule.direction,
    )
    # One score is no change at all: NaN, so the category is 0 (reliable_change is NaN-safe).
    compared = np.where(count >= 2, latest, np.nan)
    rci, category = compare(baseline, compared)

    _, against_baseline = compare(baseline[person], score)
    deteriorated_at = _entered(against_baseline == DETERIORATED, person, time, people)
    improved_at = _entered(against_baseline == IMPROVED, person, time, people)

    _, against_previous = compare(previous_in_person(score, person), score)
    dropped_at = take(time, last_where(person, people, against_previous == DETERIORATED))
    return rci, category, deteriorated_at, improved_at, dropped_at


def _entered(state: BoolArray, person: IntArray, time: FloatArray, people: int) -> FloatArray:
    """Per person, the time of the most recent row in ``state`` whose previous row was not."""
    was = previous_in_person(state.astype(np.float64), person) == 1.0
    return take(time, last_where(person, people, state & ~was))


def _bands(
    rule: DomainScoring, person: IntArray, time: FloatArray, score: FloatArray, people: int
) -> tuple[IntArray, IntArray, FloatArray, Int8Array, FloatArray, FloatArray]:
    if not rule.bands:
        nothing = np.full(people, np.nan)
        return (
            np.full(people, -1, dtype=np.int64),
            np.zeros(people, dtype=np.int64),
            nothing,
            np.zeros(people, dtype=np.int8),
            nothing.copy(),
            nothing.copy(),
        )
    uppers = np.array([band.upper for band in rule.bands])
    # Position 0..len(bands): the first band whose inclusive upper bound holds the
    # score (as the scoring engine does), len(bands) above them all.
    position = np.searchsorted(uppers, score, side="left").astype(np.float64)
    previous = previous_in_person(position, person)
    crossed = ~np.isnan(previous) & (position != previous)
    upward = np.sign(position - np.nan_to_num(previous)).astype(np.int8)
    direction = upward if rule.direction == "higher_is_better" else -upward
    direction = np.where(crossed, direction, 0).astype(np.int8)

    last = last_where(person, people, np.ones(len(person), dtype=bool))
    latest_position = take(position, last)
    band = np.where(
        np.isnan(latest_position) | (latest_position == len(uppers)), -1, latest_position
    ).astype(np.int64)
    last_crossing = last_where(person, people, crossed)
    crossing_direction = np.zeros(people, dtype=np.int8)
    found = last_crossing >= 0
    crossing_direction[found] = direction[last_crossing[found]]
    return (
        band,
        per_person_count(person, people, crossed),
        take(time, last_crossing),
        crossing_direction,
        take(time, last_where(person, people, direction == WORSE)),
        take(time, last_where(person, people, direction == BETTER)),
    )
