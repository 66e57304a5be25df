"""Grouped numpy operations on rows sorted by person, without a Python loop over people.

Every array here is one row per observation, sorted by person index (and, within
a person, by effective time). A person's rows are one contiguous run, so "the
previous row of the same person", "the last row of each person where a condition
holds" and per-person sums are all a few whole-array operations.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def check_sorted(person: IntArray, time: FloatArray, people: int, what: str) -> None:
    """Refuse rows that are not sorted by person, then effective time, or name no known person."""
    if person.shape != time.shape or person.ndim != 1:
        raise ValueError(f"{what}: person and time must be 1-d arrays of equal length")
    if len(person) == 0:
        return
    if person[0] < 0 or person[-1] >= people:
        raise ValueError(f"{what}: person indices must lie in 0..{people - 1}")
    if np.isnan(time).any():
        raise ValueError(f"{what}: every row needs an effective time")
    later_person = person[1:] > person[:-1]
    same_person_in_order = (person[1:] == person[:-1]) & (time[1:] >= time[:-1])
    if not (later_person | same_person_in_order).all():
        raise ValueError(f"{what}: rows must be sorted by person, then effective time")


def same_as_previous(person: IntArray) -> BoolArray:
    """True where a row belongs to the same person as the row before it."""
    follows = np.zeros(len(person), dtype=bool)
    follows[1:] = person[1:] == person[:-1]
    return follows


def previous_in_person(values: FloatArray, person: IntArray) -> FloatArray:
    """Each row's previous value for the same person; NaN on a person's first row."""
    previous = np.full(len(values), np.nan)
    previous[1:] = values[:-1]
    previous[~same_as_previous(person)] = np.nan
    return previous


def per_person_count(person: IntArray, people: int, where: BoolArray | None = None) -> IntArray:
    """Rows per person (only those where the condition holds, if one is given)."""
    if where is None:
        return np.bincount(person, minlength=people).astype(np.int64)
    return np.bincount(person[where], minlength=people).astype(np.int64)


def per_person_sum(
    values: FloatArray, person: IntArray, people: int, where: BoolArray | None = None
) -> FloatArray:
    """Sum of values per person (only rows where the condition holds, if one is given)."""
    if where is None:
        return np.bincount(person, weights=values, minlength=people).astype(np.float64, copy=False)
    return np.bincount(person[where], weights=values[where], minlength=people).astype(
        np.float64, copy=False
    )


def last_where(person: IntArray, people: int, where: BoolArray) -> IntArray:
    """Index of each person's last row where the condition holds; -1 where none does."""
    rows = np.flatnonzero(where)
    owners = person[rows]
    # Rows are sorted by person, so a person's last qualifying row is where the owner changes next.
    last = np.ones(len(rows), dtype=bool)
    last[:-1] = owners[1:] != owners[:-1]
    found = np.full(people, -1, dtype=np.int64)
    found[owners[last]] = rows[last]
    return found


def first_where(person: IntArray, people: int, where: BoolArray) -> IntArray:
    """Index of each person's first row where the condition holds; -1 where none does."""
    rows = np.flatnonzero(where)
    owners = person[rows]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    found = np.full(people, -1, dtype=np.int64)
    found[owners[first]] = rows[first]
    return found


def take(values: FloatArray, index: IntArray) -> FloatArray:
    """values[index] per person, NaN where the index is -1 (nothing found)."""
    taken = np.full(len(index), np.nan)
    found = index >= 0
    taken[found] = values[index[found]]
    return taken


def per_person_median(values: FloatArray, person: IntArray, people: int) -> FloatArray:
    """Median of each person's values (any order); NaN for a person with none."""
    order = np.lexsort((values, person))
    ordered = values[order]
    counts = np.bincount(person, minlength=people)
    starts = np.cumsum(counts) - counts
    median = np.full(people, np.nan)
    some = counts > 0
    # The two middle positions coincide when the count is odd.
    low = starts[some] + (counts[some] - 1) // 2
    high = starts[some] + counts[some] // 2
    median[some] = (ordered[low] + ordered[high]) / 2
    return median


def read_only(*arrays: np.ndarray) -> None:
    """Freeze result arrays so a summary cannot be edited after it is computed."""
    for array in arrays:
        array.flags.writeable = False
