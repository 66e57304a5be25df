"""Cohort aggregates per service x period x measure, and an all-services row (DESIGN.md section 8).

Each person contributes one value to a cell: their own mean of that measure over
the period. Someone who checked in five times in a week would otherwise weigh
five times as much as someone who checked in once, and n would count check-ins
rather than people; disclosure control needs n to count distinct people.

The all-services row of a period and measure is computed from the same unrounded
person means as the service rows, never from the published service rows. Each
person belongs to one service in a period (refused otherwise), so a total's n is
exactly the sum of its services' n: the additive structure disclosure control
relies on. Quartiles are Hyndman & Fan type 7 (linear interpolation between
order statistics; R's and numpy's default). No minimum or maximum is computed:
those are single people's values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from server.aggregation.measure_key import MeasureKey
from server.research.periods import granularity_of

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.integer[Any]]
# Codes of one person-period row: 32 bits halve the biggest arrays of a full export.
CODE = np.int32


@dataclass(frozen=True)
class PersonPeriodMeans:
    """A person's mean per period and measure; rows sorted by period, measure, service, person."""

    periods: tuple[str, ...]  # labels, sorted; rows hold codes into them
    measures: tuple[str, ...]  # measure keys, sorted; rows hold codes into them
    period: IntArray
    measure: IntArray
    service: IntArray  # service id
    person: IntArray  # person id
    mean: FloatArray  # the person's mean of the measure over the period
    occasions: IntArray  # scored occasions behind that mean


@dataclass(frozen=True)
class CohortCell:
    """Unrounded statistics of one cell; service None is the all-services row. Never published."""

    service: int | None
    period: str
    measure: str
    n: int  # distinct people
    mean: float
    sd: float  # sample SD (n - 1); NaN for one person
    median: float
    q1: float
    q3: float


def person_period_means(
    *,
    person: ArrayLike,
    service: ArrayLike,
    period: ArrayLike,
    measure: ArrayLike,
    value: ArrayLike,
    consenting: ArrayLike,
) -> PersonPeriodMeans:
    """Each consenting person's mean per period and measure, from one row per scored occasion."""
    people = np.asarray(person, dtype=np.int64)
    services = np.asarray(service, dtype=np.int64)
    labels = np.asarray(period, dtype=np.str_)
    keys = np.asarray(measure, dtype=np.str_)
    values = np.asarray(value, dtype=np.float64)
    if not people.shape == services.shape == labels.shape == keys.shape == values.shape:
        raise ValueError("person, service, period, measure and value must have equal lengths")
    # Only people with current research consent count (DESIGN.md section 6): the
    # filter is here, not left to every caller to remember.
    kept = np.isin(people, np.asarray(consenting, dtype=np.int64)) & ~np.isnan(values)
    people, services, values = people[kept], services[kept], values[kept]
    labels, keys = labels[kept], keys[kept]
    periods, period_code = np.unique(labels, return_inverse=True)
    measures, measure_code = np.unique(keys, return_inverse=True)
    return _grouped_means(
        periods=tuple(periods.tolist()),
        measures=tuple(measures.tolist()),
        period=period_code,
        measure=measure_code,
        service=services,
        person=people,
        value=values,
    )


def coded_means(
    *,
    person: IntArray,
    service: IntArray,
    period_key: IntArray,
    period_names: dict[int, str],
    measure: IntArray,
    measures: Sequence[str],
    value: FloatArray,
) -> PersonPeriodMeans:
    """person_period_means for rows already coded as integers (no string arrays: big exports)."""
    scored = ~np.isnan(value)
    person, service, period_key = person[scored], service[scored], period_key[scored]
    measure, value = measure[scored], value[scored]
    present_keys = np.unique(period_key)
    periods = tuple(period_names[key] for key in present_keys.tolist())
    # Keys and labels are both chronological, so code order is label order.
    period = np.searchsorted(present_keys, period_key).astype(np.int64)
    by_name = sorted(range(len(measures)), key=lambda code: measures[code])
    recode = np.empty(len(measures), dtype=np.int64)
    recode[by_name] = np.arange(len(measures))
    measure = recode[measure] if len(measures) else measure
    return _grouped_means(
        periods=periods,
        measures=tuple(sorted(measures)),
        period=period,
        measure=measure,
        service=service,
        person=person,
        value=value,
    )


def _grouped_means(
    *,
    periods: tuple[str, ...],
    measures: tuple[str, ...],
    period: IntArray,
    measure: IntArray,
    service: IntArray,
    person: IntArray,
    value: FloatArray,
) -> PersonPeriodMeans:
    """Mean per (period, measure, service, person) of coded rows; codes index the labels."""
    _check_labels(list(periods), list(measures))
    _check_one_service(period, person, service)
    order = np.lexsort((person, service, measure, period))
    columns = [a[order] for a in (period, measure, service, person)]
    starts = _run_starts(columns)
    counts = np.diff(np.append(starts, len(order)))
    sums = np.add.reduceat(value[order], starts) if len(order) else np.zeros(0)
    return PersonPeriodMeans(
        periods=periods,
        measures=measures,
        period=columns[0][starts].astype(CODE),
        measure=columns[1][starts].astype(CODE),
        service=columns[2][starts].astype(CODE),
        person=columns[3][starts].astype(CODE),
        mean=sums / counts,
        occasions=counts.astype(CODE),
    )


def combine_means(parts: list[PersonPeriodMeans]) -> PersonPeriodMeans:
    """One PersonPeriodMeans from parts over disjoint sets of people; empties ``parts``.

    A full export holds millions of rows, so memory matters: the list is cleared once
    its columns are joined, and each column is reordered and dropped one at a time.
    """
    periods = tuple(sorted({label for part in parts for label in part.periods}))
    measures = tuple(sorted({key for part in parts for key in part.measures}))
    _check_labels(list(periods), list(measures))
    period_of = {label: code for code, label in enumerate(periods)}
    measure_of = {key: code for code, key in enumerate(measures)}

    def recoded(codes: IntArray, labels: tuple[str, ...], to: dict[str, int]) -> IntArray:
        mapping = np.array([to[label] for label in labels], dtype=CODE)
        return mapping[codes] if len(labels) else codes

    def joined(pieces: list[NDArray[Any]], dtype: type) -> NDArray[Any]:
        return np.concatenate(pieces).astype(dtype, copy=False) if pieces else np.zeros(0, dtype)

    period = joined([recoded(p.period, p.periods, period_of) for p in parts], CODE)
    measure = joined([recoded(p.measure, p.measures, measure_of) for p in parts], CODE)
    service = joined([p.service for p in parts], CODE)
    person = joined([p.person for p in parts], CODE)
    mean = joined([p.mean for p in parts], np.float64)
    occasions = joined([p.occasions for p in parts], CODE)
    parts.clear()
    order = np.lexsort((person, service, measure, period))
    period = period[order]
    measure = measure[order]
    service = service[order]
    person = person[order]
    mean = mean[order]
    occasions = occasions[order]
    return PersonPeriodMeans(
        periods=periods,
        measures=measures,
        period=period,
        measure=measure,
        service=service,
        person=person,
        mean=mean,
        occasions=occasions,
    )


def cohort_cells(*, means: PersonPeriodMeans) -> tuple[CohortCell, ...]:
    """n, mean, sd and quartiles per service x period x measure, then each all-services row."""
    rows = len(means.mean)
    if rows == 0:
        return ()
    by_service = _run_starts([means.period, means.measure, means.service])
    by_total = _run_starts([means.period, means.measure])
    cells: list[tuple[int, int, int, CohortCell]] = []
    for starts, is_total in ((by_service, False), (by_total, True)):
        group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, rows)))
        stats = _group_statistics(group, means.mean)
        for index, start in enumerate(starts.tolist()):
            period, measure = int(means.period[start]), int(means.measure[start])
            service = None if is_total else int(means.service[start])
            cell = CohortCell(
                service,
                means.periods[period],
                means.measures[measure],
                *(column[index].item() for column in stats),
            )
            # Within a period and measure: services by id, the total last.
            cells.append((period, measure, 1 if is_total else 0, cell))
    cells.sort(key=lambda c: (c[0], c[1], c[2], c[3].service or 0))
    return tuple(cell for *_, cell in cells)


def _check_labels(periods: list[str], measures: list[str]) -> None:
    if len({granularity_of(label) for label in periods}) > 1:
        raise ValueError("one export uses one kind of period: weeks or months, not both")
    for key in measures:
        MeasureKey.parse(key)


def _check_one_service(period: IntArray, person: IntArray, service: IntArray) -> None:
    order = np.lexsort((service, person, period))
    p, who, where = period[order], person[order], service[order]
    clash = (p[1:] == p[:-1]) & (who[1:] == who[:-1]) & (where[1:] != where[:-1])
    if clash.any():
        # Totals are only additive if nobody is in two services' cells at once.
        raise ValueError("a person must belong to one service within a period")


def _run_starts(columns: Sequence[IntArray]) -> NDArray[np.int64]:
    """Where each run of equal (column, column, ...) values starts in rows sorted by them."""
    size = len(columns[0])
    if size == 0:
        return np.zeros(0, dtype=np.int64)
    changed = np.zeros(size, dtype=bool)
    changed[0] = True
    for column in columns:
        changed[1:] |= column[1:] != column[:-1]
    return np.flatnonzero(changed).astype(np.int64)


def _group_statistics(group: IntArray, values: FloatArray) -> tuple[NDArray[np.generic], ...]:
    """n, mean, sd, median, q1, q3 per group id 0..G-1 (every group non-empty)."""
    n = np.bincount(group)
    mean = np.bincount(group, weights=values) / n
    deviation = values - mean[group]
    sd = np.full(len(n), np.nan)
    np.sqrt(np.bincount(group, weights=deviation**2) / np.maximum(n - 1, 1), out=sd, where=n > 1)
    ordered = values[np.lexsort((values, group))]
    starts = np.cumsum(n) - n

    def quantile(p: float) -> FloatArray:
        # Type 7: h = (n - 1) p, interpolating between the order statistics either side.
        h = (n - 1) * p
        below = np.floor(h).astype(np.int64)
        above = np.minimum(below + 1, n - 1)
        low, high = ordered[starts + below], ordered[starts + above]
        result: FloatArray = low + (h - below) * (high - low)
        return result

    return n.astype(np.int64), mean, sd, quantile(0.5), quantile(0.25), quantile(0.75)
