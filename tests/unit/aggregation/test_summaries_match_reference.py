"""Property: the vectorised person summaries equal the one-person-at-a-time reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.aggregation.measure_key import MeasureKey, measure_rule
from server.aggregation.measures import MeasureSeries, summarise_measure
from server.aggregation.reference import (
    ReferenceMeasure,
    ReferenceRegularity,
    reference_measure,
    reference_regularity,
)
from server.aggregation.regularity import checkin_regularity
from server.instruments.registry import InstrumentRegistry

REGISTRY = InstrumentRegistry.load()
DAY = 86_400.0
NOW = 1_800_000_000.0
MEASURES = [
    "who5@1/wellbeing",
    "ons4@1/anxiety",
    "alongside-checkin@1/trust",
    "alongside-checkin@1/active_days",
    "ons-loneliness@1/loneliness",
]


def same(engine: float, reference: float) -> bool:
    if math.isnan(reference):
        return math.isnan(engine)
    return math.isclose(engine, reference, rel_tol=1e-9, abs_tol=1e-9)


@st.composite
def people_rows(draw: st.DrawFn, low: float, high: float) -> list[list[tuple[float, float]]]:
    """Per person, (effective time, score) rows in time order; scores may be NaN (unscorable)."""
    people = draw(st.integers(min_value=0, max_value=8))
    # Few distinct values, so ties, repeats and band edges happen often.
    values = st.one_of(
        st.sampled_from([low, high, (low + high) / 2, float("nan")]),
        st.integers(min_value=int(low), max_value=int(high)).map(float),
    )
    everyone = []
    for _ in range(people):
        count = draw(st.integers(min_value=0, max_value=12))
        offsets = draw(
            st.lists(
                st.floats(min_value=-200.0, max_value=0.01, allow_nan=False),
                min_size=count,
                max_size=count,
            )
        )
        times = sorted(NOW + offset * DAY for offset in offsets)
        if count >= 2 and draw(st.booleans()):
            times[1] = times[0]  # two check-ins at one effective time
        everyone.append([(t, draw(values)) for t in times])
    return everyone


def flatten(
    everyone: list[list[tuple[float, float]]],
) -> tuple[list[int], list[float], list[float]]:
    person, time, score = [], [], []
    for index, rows in enumerate(everyone):
        for t, s in rows:
            person.append(index)
            time.append(t)
            score.append(s)
    return person, time, score


@pytest.mark.parametrize("key_text", MEASURES)
def test_measure_summary_equals_reference(key_text):
    key = MeasureKey.parse(key_text)
    rule = measure_rule(REGISTRY, key)
    high = 100.0 if key.instrument_id == "who5" else 4.0 if "loneliness" in key_text else 10.0

    @settings(max_examples=120, deadline=None)
    @given(everyone=people_rows(0.0, high), now_shift=st.floats(min_value=0, max_value=30))
    def check(everyone, now_shift):
        now = NOW + now_shift * DAY
        person, time, score = flatten(everyone)
        series = MeasureSeries(key=key, rule=rule, person=person, time=time, score=score)
        summary = summarise_measure(series=series, people=len(everyone), now=now)
        for index, rows in enumerate(everyone):
            expected = reference_measure(rule, rows, now)
            for name in ReferenceMeasure.__dataclass_fields__:
                got = getattr(summary, name)[index].item()
                want = getattr(expected, name)
                assert same(float(got), float(want)), (name, index, got, want)

    check()


@settings(max_examples=150, deadline=None)
@given(everyone=people_rows(0.0, 10.0), now_shift=st.floats(min_value=0, max_value=90))
def test_checkin_regularity_equals_reference(everyone, now_shift):
    now = NOW + now_shift * DAY
    person, time, _ = flatten(everyone)
    rhythm = checkin_regularity(person=person, time=time, people=len(everyone), now=now)
    for index, rows in enumerate(everyone):
        expected = reference_regularity([t for t, _ in rows], now)
        for name in ReferenceRegularity.__dataclass_fields__:
            got = float(getattr(rhythm, name)[index])
            assert same(got, float(getattr(expected, name))), (name, index)


def test_results_are_read_only():
    key = MeasureKey.parse("who5@1/wellbeing")
    series = MeasureSeries(
        key=key, rule=measure_rule(REGISTRY, key), person=[0], time=[NOW], score=[60.0]
    )
    summary = summarise_measure(series=series, people=1, now=NOW)
    with pytest.raises(ValueError, match="read-only"):
        summary.latest[0] = 0.0
    assert np.isnan(summary.rci[0])
