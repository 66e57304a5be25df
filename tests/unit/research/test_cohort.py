"""Cohort cells: one value per person, n counts people, totals from the same person means."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.research.cohort import (
    coded_means,
    cohort_cells,
    combine_means,
    person_period_means,
)
from server.research.periods import period_keys, period_labels

HOPE = "alongside-checkin@1/hope"
WHO5 = "who5@1/wellbeing"


def means_of(rows, consenting):
    person, service, period, measure, value = (list(c) for c in zip(*rows, strict=True))
    return person_period_means(
        person=person,
        service=service,
        period=period,
        measure=measure,
        value=value,
        consenting=consenting,
    )


def test_a_person_who_checks_in_often_counts_once_and_non_consenting_people_not_at_all():
    rows = [
        (1, 7, "2026-W47", HOPE, 2.0),
        (1, 7, "2026-W47", HOPE, 4.0),
        (1, 7, "2026-W47", HOPE, 6.0),
        (2, 7, "2026-W47", HOPE, 8.0),
        (2, 7, "2026-W47", HOPE, math.nan),  # hope not scorable on this occasion
        (3, 7, "2026-W47", HOPE, 0.0),  # no research consent
    ]
    means = means_of(rows, consenting=[1, 2])
    assert means.mean.tolist() == [4.0, 8.0]
    assert means.occasions.tolist() == [3, 1]
    service_cell, total = cohort_cells(means=means)
    assert (service_cell.service, service_cell.period, service_cell.measure) == (
        7,
        "2026-W47",
        HOPE,
    )
    assert service_cell.n == 2
    assert service_cell.mean == 6.0
    assert service_cell.sd == pytest.approx(statistics.stdev([4.0, 8.0]))
    assert total.service is None
    assert total.n == 2


def test_cells_are_ordered_by_period_measure_then_services_and_the_total_last():
    rows = [
        (1, 2, "2026-11", WHO5, 40.0),
        (2, 1, "2026-11", WHO5, 60.0),
        (3, 1, "2026-10", HOPE, 5.0),
    ]
    cells = cohort_cells(means=means_of(rows, consenting=[1, 2, 3]))
    assert [(c.period, c.measure, c.service) for c in cells] == [
        ("2026-10", HOPE, 1),
        ("2026-10", HOPE, None),
        ("2026-11", WHO5, 1),
        ("2026-11", WHO5, 2),
        ("2026-11", WHO5, None),
    ]
    assert math.isnan(cells[0].sd)  # one person has no spread
    assert not hasattr(cells[0], "minimum")


def test_refusals():
    with pytest.raises(ValueError, match="one service within a period"):
        means_of([(1, 1, "2026-11", WHO5, 1.0), (1, 2, "2026-11", WHO5, 2.0)], [1])
    with pytest.raises(ValueError, match="weeks or months"):
        means_of([(1, 1, "2026-11", WHO5, 1.0), (1, 1, "2026-W47", WHO5, 2.0)], [1])
    with pytest.raises(ValueError, match="not a measure key"):
        means_of([(1, 1, "2026-11", "who5", 1.0)], [1])
    assert cohort_cells(means=means_of([(1, 1, "2026-11", WHO5, 1.0)], consenting=[])) == ()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),
            st.sampled_from(["2026-10", "2026-11"]),
            st.sampled_from([HOPE, WHO5]),
            st.floats(0, 100, allow_nan=False),
        ),
        max_size=120,
    )
)
def test_cells_equal_plain_statistics_of_person_means(occasions):
    # A person's service is fixed (person mod 3), as the export takes it from the account.
    rows = [(p, p % 3, period, m, v) for p, period, m, v in occasions]
    cells = cohort_cells(means=means_of(rows, consenting=list(range(31)))) if rows else ()
    by_cell: dict[tuple, dict[int, list[float]]] = {}
    for p, service, period, measure, value in rows:
        for where in (service, None):
            by_cell.setdefault((where, period, measure), {}).setdefault(p, []).append(value)
    assert {(c.service, c.period, c.measure) for c in cells} == set(by_cell)
    for cell in cells:
        values = [
            statistics.fmean(v) for v in by_cell[(cell.service, cell.period, cell.measure)].values()
        ]
        assert cell.n == len(values)
        assert cell.mean == pytest.approx(statistics.fmean(values))
        assert cell.median == pytest.approx(statistics.median(values))
        q1, q3 = np.percentile(values, [25, 75])
        assert (cell.q1, cell.q3) == (pytest.approx(q1), pytest.approx(q3))
        if len(values) > 1:
            assert cell.sd == pytest.approx(statistics.stdev(values), abs=1e-9)
    for cell in cells:
        if cell.service is None:
            parts = [
                c.n
                for c in cells
                if c.service is not None and (c.period, c.measure) == (cell.period, cell.measure)
            ]
            assert cell.n == sum(parts)


def test_means_of_disjoint_people_combine_into_the_means_of_everyone():
    rows = [
        (p, p % 2, f"2026-{10 + (p + m) % 2}", measure, float(p * 3 + m))
        for p in range(12)
        for m, measure in enumerate((HOPE, WHO5, HOPE))
    ]
    everyone = means_of(rows, consenting=range(12))
    parts = [
        means_of([r for r in rows if r[0] < 5], consenting=range(12)),
        means_of([r for r in rows if r[0] >= 5 and r[3] == WHO5], consenting=range(12)),
        means_of([r for r in rows if r[0] >= 5 and r[3] == HOPE], consenting=range(12)),
    ]
    combined = combine_means(parts)
    assert parts == []  # handed over, so a big export holds each row once
    assert combined.periods == everyone.periods
    assert combined.measures == everyone.measures
    for name in ("period", "measure", "service", "person", "mean", "occasions"):
        assert getattr(combined, name).tolist() == getattr(everyone, name).tolist(), name
    assert cohort_cells(means=combined) == cohort_cells(means=everyone)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 20),
            st.floats(1.7e9, 1.8e9),
            st.sampled_from([HOPE, WHO5, "ons4@1/anxiety"]),
            st.floats(0, 100, allow_nan=False),
        ),
        max_size=80,
    ),
    st.sampled_from(["week", "month"]),
)
def test_coded_means_equal_the_labelled_ones(occasions, granularity):
    person = np.array([p for p, *_ in occasions], dtype=np.int64)
    time = np.array([t for _, t, *_ in occasions], dtype=np.float64)
    names = [m for *_, m, _ in occasions]
    value = np.array([v for *_, v in occasions], dtype=np.float64)
    measures = sorted(set(names), reverse=True)  # any order: coded_means sorts them
    keys, labels = period_keys(time=time, granularity=granularity)
    coded = coded_means(
        person=person,
        service=person % 2,
        period_key=keys,
        period_names=labels,
        measure=np.array([measures.index(n) for n in names], dtype=np.int64),
        measures=measures,
        value=value,
    )
    labelled = person_period_means(
        person=person,
        service=person % 2,
        period=period_labels(time=time, granularity=granularity),
        measure=np.array(names, dtype=np.str_),
        value=value,
        consenting=person,
    )
    assert coded.periods == labelled.periods
    assert coded.measures == labelled.measures
    for name in ("period", "measure", "service", "person", "occasions"):
        assert getattr(coded, name).tolist() == getattr(labelled, name).tolist(), name
    assert np.allclose(coded.mean, labelled.mean)
