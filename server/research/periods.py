"""Reporting periods: ISO weeks (``2026-W47``) and calendar months (``2026-11``), in UTC.

Exports never carry a date finer than one of these labels (issue 7). Weeks follow
ISO 8601: Monday to Sunday, week 1 holds the year's first Thursday, so the days
around New Year can belong to the neighbouring year's weeks.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

Granularity = Literal["week", "month"]

WEEK_LABEL = re.compile(r"^(\d{4})-W(\d{2})$")
MONTH_LABEL = re.compile(r"^(\d{4})-(\d{2})$")

SECONDS_PER_DAY = 86_400


def period_labels(*, time: ArrayLike, granularity: Granularity) -> NDArray[np.str_]:
    """The week or month label of each effective time (POSIX seconds, UTC)."""
    keys, labels = period_keys(time=time, granularity=granularity)
    unique, inverse = np.unique(keys, return_inverse=True)
    names = np.array([labels[key] for key in unique.tolist()], dtype=np.str_)
    return names[inverse].reshape(np.shape(keys))


def period_keys(
    *, time: ArrayLike, granularity: Granularity
) -> tuple[NDArray[np.int64], dict[int, str]]:
    """An integer per time that orders and groups like its period, and the label of each key."""
    seconds = np.asarray(time, dtype=np.float64)
    if np.isnan(seconds).any():
        raise ValueError("every time needs a value")
    days = np.floor(seconds / SECONDS_PER_DAY).astype(np.int64)
    if granularity == "month":
        keys = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        unique = np.unique(keys)
        names = np.datetime_as_string(unique.astype("datetime64[M]"), unit="M").tolist()
        return keys, dict(zip(unique.tolist(), names, strict=True))
    if granularity != "week":
        raise ValueError(f"granularity must be 'week' or 'month', not {granularity!r}")
    # 1970-01-01 was a Thursday; with Monday as 0 its weekday is 3. An ISO week
    # belongs to the year its Thursday falls in, so the Thursday's day number is the key.
    keys = days - (days + 3) % 7 + 3
    labels = {}
    for day in np.unique(keys).tolist():
        year, week, _ = (date(1970, 1, 1) + timedelta(days=day)).isocalendar()
        labels[day] = f"{year:04d}-W{week:02d}"
    return keys, labels


def granularity_of(label: str) -> Granularity:
    """Which kind of period a label names; ValueError for anything else."""
    if WEEK_LABEL.match(label):
        return "week"
    if MONTH_LABEL.match(label):
        return "month"
    raise ValueError(f"not a period label (2026-W47 or 2026-11): {label!r}")


def period_bounds(label: str) -> tuple[datetime, datetime]:
    """The UTC start (inclusive) and end (exclusive) of a period."""
    week = WEEK_LABEL.match(label)
    if week:
        try:
            monday = date.fromisocalendar(int(week[1]), int(week[2]), 1)
        except ValueError:
            raise ValueError(f"no such ISO week: {label!r}") from None
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        return start, start + timedelta(days=7)
    month = MONTH_LABEL.match(label)
    if month and 1 <= int(month[2]) <= 12:
        year, number = int(month[1]), int(month[2])
        start = datetime(year, number, 1, tzinfo=UTC)
        following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
        return start, following
    raise ValueError(f"not a period label (2026-W47 or 2026-11): {label!r}")
