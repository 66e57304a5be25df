"""Repeated-measures correlation: the published example, and what within-person means."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.research.association import repeated_measures_correlation, within_person_associations
from server.research.cohort import person_period_means

# Bland & Altman (1995), BMJ 310:446: intramural pH and PaCO2, 47 observations of 8
# subjects; the rmcorr package's bland1995 data set.
BLAND_ALTMAN_1995 = {
    1: [(6.68, 3.97), (6.53, 4.12), (6.43, 4.09), (6.33, 3.97)],
    2: [(6.85, 5.27), (7.06, 5.37), (7.13, 5.41), (7.17, 5.44)],
    3: [
        (7.40, 5.67), (7.42, 3.64), (7.41, 4.32), (7.37, 4.73), (7.34, 4.96),
        (7.35, 5.04), (7.28, 5.22), (7.30, 4.82), (7.34, 5.07),
    ],
    4: [(7.36, 5.67), (7.33, 5.10), (7.29, 5.53), (7.30, 4.75), (7.35, 5.51)],
    5: [
        (7.35, 4.28), (7.30, 4.44), (7.30, 4.32), (7.37, 3.23),
        (7.27, 4.46), (7.28, 4.72), (7.32, 4.75), (7.32, 4.99),
    ],
    6: [(7.38, 4.78), (7.30, 4.73), (7.29, 5.12), (7.33, 4.93), (7.31, 5.03), (7.33, 4.93)],
    7: [(6.86, 6.85), (6.94, 6.44), (6.92, 6.52)],
    8: [
        (7.19, 5.28), (7.29, 4.56), (7.21, 4.34), (7.25, 4.32),
        (7.20, 4.41), (7.19, 3.69), (6.77, 6.09), (6.82, 5.58),
    ],
}  # fmt: skip


def columns(data):
    person, x, y = [], [], []
    for subject, pairs in data.items():
        for a, b in pairs:
            person.append(subject)
            x.append(a)
            y.append(b)
    return person, x, y


def test_published_bland_altman_example():
    person, x, y = columns(BLAND_ALTMAN_1995)
    result = repeated_measures_correlation(person=person, x=x, y=y)
    # rmcorr (R, >= 0.5.4): r = -0.5067697, df = 38, 95% CI [-0.7067146, -0.2318631].
    assert result.r == pytest.approx(-0.5067697, abs=1e-7)
    assert result.df == 38
    assert result.ci_low == pytest.approx(-0.7067146, abs=1e-7)
    assert result.ci_high == pytest.approx(-0.2318631, abs=1e-7)
    assert (result.people, result.observations) == (8, 47)


@settings(max_examples=100, deadline=None)
@given(
    shifts=st.lists(st.floats(min_value=-50, max_value=50), min_size=8, max_size=8),
    order=st.permutations(range(47)),
)
def test_differences_between_people_and_row_order_change_nothing(shifts, order):
    person, x, y = columns(BLAND_ALTMAN_1995)
    moved_x = [value + shifts[p - 1] for p, value in zip(person, x, strict=True)]
    moved_y = [value - 2 * shifts[p - 1] for p, value in zip(person, y, strict=True)]
    index = np.array(order)
    result = repeated_measures_correlation(
        person=np.array(person)[index], x=np.array(moved_x)[index], y=np.array(moved_y)[index]
    )
    assert result.r == pytest.approx(-0.5067697, abs=1e-6)
    assert result.df == 38


def test_people_seen_once_and_missing_pairs_carry_no_within_person_information():
    person, x, y = columns(BLAND_ALTMAN_1995)
    person += [9, 10, 10]
    x += [1.0, math.nan, 7.0]
    y += [100.0, 5.0, math.nan]
    result = repeated_measures_correlation(person=person, x=x, y=y)
    assert result.r == pytest.approx(-0.5067697, abs=1e-7)
    assert (result.people, result.df) == (8, 38)


def test_no_within_person_variation_means_no_correlation():
    flat = repeated_measures_correlation(person=[1, 1, 2, 2], x=[3, 3, 5, 5], y=[1, 2, 3, 4])
    assert math.isnan(flat.r)
    assert math.isnan(flat.ci_low)
    nobody = repeated_measures_correlation(person=[1, 2], x=[1, 2], y=[1, 2])
    assert nobody.people == 0
    assert math.isnan(nobody.r)
    with pytest.raises(ValueError, match="equal length"):
        repeated_measures_correlation(person=[1], x=[1, 2], y=[1])
    with pytest.raises(ValueError, match="confidence"):
        repeated_measures_correlation(person=[1], x=[1], y=[1], confidence=1.0)


def test_associations_pair_each_process_measure_with_wellbeing_per_service():
    rows = []
    for person, service in ((1, 10), (2, 10), (3, 10), (4, 20), (5, 20), (6, 20)):
        for month, hope in enumerate((3.0, 5.0, 7.0, 4.0)):
            label = f"2026-{month + 1:02d}"
            lift = person  # everyone's own level differs; the within-person link is exact
            rows.append((person, service, label, "alongside-checkin@1/hope", hope + lift))
            rows.append((person, service, label, "who5@1/wellbeing", 10 * hope + 3 * lift))
    person, service, period, measure, value = map(list, zip(*rows, strict=True))
    means = person_period_means(
        person=person,
        service=service,
        period=period,
        measure=measure,
        value=value,
        consenting=[1, 2, 3, 4, 5, 6],
    )
    found = within_person_associations(means=means)
    assert [(a.service, a.process, a.wellbeing) for a in found] == [
        (10, "alongside-checkin@1/hope", "who5@1/wellbeing"),
        (20, "alongside-checkin@1/hope", "who5@1/wellbeing"),
    ]
    for association in found:
        assert association.correlation.r == pytest.approx(1.0)
        assert association.correlation.people == 3
        assert association.correlation.df == 12 - 3 - 1
