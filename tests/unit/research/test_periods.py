"""Reporting periods: ISO weeks and calendar months in UTC, never anything finer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.research.periods import granularity_of, period_bounds, period_labels


def seconds(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("moment", "week", "month"),
    [
        ("2026-11-23T00:00:00", "2026-W48", "2026-11"),  # a Monday starts a week
        ("2026-11-22T23:59:59", "2026-W47", "2026-11"),  # the Sunday before ends one
        ("2027-01-01T12:00:00", "2026-W53", "2027-01"),  # a Friday: its Thursday is in 2026
        ("2024-12-30T08:00:00", "2025-W01", "2024-12"),  # a Monday in the next year's week 1
        ("1969-12-31T23:00:00", "1970-W01", "1969-12"),  # before the epoch
    ],
)
def test_labels(moment, week, month):
    assert period_labels(time=[seconds(moment)], granularity="week").tolist() == [week]
    assert period_labels(time=[seconds(moment)], granularity="month").tolist() == [month]


@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))
def test_every_label_is_the_period_that_holds_the_moment(moment):
    instant = moment.replace(tzinfo=UTC)
    for granularity in ("week", "month"):
        (label,) = period_labels(time=[instant.timestamp()], granularity=granularity).tolist()
        assert granularity_of(label) == granularity
        start, end = period_bounds(label)
        assert start <= instant < end
    year, week, _ = instant.isocalendar()
    assert period_labels(time=[instant.timestamp()], granularity="week")[0] == f"{year}-W{week:02d}"


def test_bounds_and_bad_labels():
    assert period_bounds("2026-12") == (
        datetime(2026, 12, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert period_bounds("2026-W53")[0] == datetime(2026, 12, 28, tzinfo=UTC)
    for label in ("2025-W53", "2026-13", "2026-11-23", "week 4"):
        with pytest.raises(ValueError, match=r"(no such ISO week|not a period label)"):
            period_bounds(label)
    with pytest.raises(ValueError, match="granularity"):
        period_labels(time=[0.0], granularity="day")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs a value"):
        period_labels(time=[float("nan")], granularity="week")
