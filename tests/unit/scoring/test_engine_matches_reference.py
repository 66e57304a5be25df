"""Property: the vectorised engine agrees with the per-row reference on any matrix."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.instruments.model import Instrument
from server.instruments.registry import InstrumentRegistry
from server.scoring import score_matrix
from server.scoring.reference import reference_score_matrix
from tests.unit.instruments.made_up import LOOKUP, VERSIONED_V2, made_up_instrument

INSTRUMENTS = [
    *InstrumentRegistry.load().all_latest(),
    made_up_instrument(LOOKUP),
    made_up_instrument(VERSIONED_V2),
]

FIELDS = ("raw", "score", "band", "answered", "not_applicable", "prorated", "refused")


@st.composite
def response_matrices(draw: st.DrawFn, instrument: Instrument) -> tuple[np.ndarray, np.ndarray]:
    """Random answers with random skips and not-applicable marks (anywhere, to stress the mask)."""
    occasions = draw(st.integers(min_value=0, max_value=25))
    skip_rate = draw(st.sampled_from([0.0, 0.1, 0.4, 0.9]))
    na_rate = draw(st.sampled_from([0.0, 0.1, 0.5]))
    values = np.full((occasions, len(instrument.items)), np.nan)
    na_mask = np.zeros(values.shape, dtype=bool)
    for column, item in enumerate(instrument.items):
        if item.response_type == "choice":
            answer = st.sampled_from(item.option_values)
        else:
            answer = st.integers(min_value=item.minimum, max_value=item.maximum)
        for row in range(occasions):
            roll = draw(st.floats(min_value=0, max_value=1))
            if roll < na_rate:
                na_mask[row, column] = True
                # Usually NaN under a not-applicable mark, as answers_to_row writes it;
                # sometimes a stray number, which both scorers must ignore.
                if draw(st.booleans()):
                    values[row, column] = draw(answer)
            elif roll >= na_rate + skip_rate * (1 - na_rate):
                values[row, column] = draw(answer)
    return values, na_mask


@pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: f"{i.id}-v{i.version}")
def test_engine_equals_reference(instrument):
    @settings(max_examples=150, deadline=None)
    @given(matrix=response_matrices(instrument))
    def check(matrix):
        values, na_mask = matrix
        engine = score_matrix(instrument, values, na_mask)
        reference = reference_score_matrix(instrument, values, na_mask)
        assert list(engine) == list(reference)
        for domain in engine:
            for field in FIELDS:
                # assert_array_equal treats NaN as equal to NaN and checks shape.
                np.testing.assert_array_equal(
                    getattr(engine[domain], field),
                    getattr(reference[domain], field),
                    err_msg=f"{instrument.id} {domain}.{field}",
                    strict=True,
                )

    check()
