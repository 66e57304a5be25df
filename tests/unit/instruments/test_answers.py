"""Answer validation: what a phone may send, and the messages it gets back."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.instruments.answers import (
    WHOLE_RESPONSE,
    AnswerError,
    _answer_problem,
    answers_to_matrix,
    answers_to_row,
    validate_answers,
)
from server.instruments.registry import InstrumentRegistry
from tests.unit.instruments.made_up import LOOKUP, made_up_instrument

REGISTRY = InstrumentRegistry.load()
CHECKIN = REGISTRY.latest("alongside-checkin")
LONELINESS = REGISTRY.latest("ons-loneliness")
MADE_UP = made_up_instrument(LOOKUP)


@pytest.mark.parametrize(
    ("instrument", "answers", "errors"),
    [
        (CHECKIN, {"hope_weeks_ahead": 7}, {}),
        (CHECKIN, {"hope_weeks_ahead": 0, "active_days": 7, "trust_understood": None}, {}),
        (CHECKIN, {"trust_peer_worker": "na", "trust_understood": "na", "hope_self_care": 3}, {}),
        (
            CHECKIN,
            {"hope_weeks_ahead": 11},
            {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]},
        ),
        (
            CHECKIN,
            {"hope_weeks_ahead": -1},
            {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]},
        ),
        (
            CHECKIN,
            {"hope_weeks_ahead": 3.0},
            {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]},
        ),
        (
            CHECKIN,
            {"hope_weeks_ahead": 3.5},
            {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]},
        ),
        (
            CHECKIN,
            {"hope_weeks_ahead": "7"},
            {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]},
        ),
        # bool is an int in Python; true must not pass as 1.
        (
            CHECKIN,
            {"hope_weeks_ahead": True},
            {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]},
        ),
        (CHECKIN, {"active_days": 8}, {"active_days": ["must be a whole number from 0 to 7"]}),
        (
            CHECKIN,
            {"hope_weeks_ahead": "na"},
            {"hope_weeks_ahead": ["not applicable is not allowed for this question"]},
        ),
        (
            CHECKIN,
            {"trust_peer_worker": "NA"},
            {"trust_peer_worker": ["must be a whole number from 0 to 10"]},
        ),
        (
            CHECKIN,
            {"hope": 5, "note": "hello"},
            {"hope": ["unknown item"], "note": ["unknown item"]},
        ),
        (CHECKIN, {}, {"_": ["no question was answered"]}),
        (CHECKIN, {"hope_weeks_ahead": None}, {"_": ["no question was answered"]}),
        (CHECKIN, [7, 8], {"_": ["answers must be an object of question ids and answers"]}),
        (LONELINESS, {"ons_lonely": 4}, {}),
        (LONELINESS, {"ons_lonely": 5}, {"ons_lonely": ["must be one of 0, 1, 2, 3, 4"]}),
        (LONELINESS, {"ons_lonely": False}, {"ons_lonely": ["must be one of 0, 1, 2, 3, 4"]}),
        (MADE_UP, {"mu_walked": True, "mu_meals": 2}, {}),
        (MADE_UP, {"mu_walked": "na"}, {}),
        (MADE_UP, {"mu_walked": 1}, {"mu_walked": ["must be yes (true) or no (false)"]}),
    ],
)
def test_validate_answers(instrument, answers, errors):
    assert validate_answers(instrument, answers) == errors


def test_answers_to_row_keeps_skipped_and_not_applicable_apart():
    values, not_applicable = answers_to_row(
        CHECKIN,
        {
            "trust_peer_worker": "na",
            "trust_understood": None,
            "hope_weeks_ahead": 6,
            "active_days": 0,
        },
    )
    assert values.dtype == np.float64
    assert not_applicable.dtype == np.bool_
    expected = [np.nan, np.nan, np.nan, 6.0, np.nan, np.nan, np.nan, np.nan, 0.0]
    np.testing.assert_array_equal(values, expected)
    assert not_applicable.tolist() == [True] + [False] * 8


def test_answers_to_row_scores_yes_as_one_and_no_as_zero():
    values, _ = answers_to_row(MADE_UP, {"mu_walked": True, "mu_meals": 0})
    assert values[4:].tolist() == [1.0, 0.0]
    values, _ = answers_to_row(MADE_UP, {"mu_walked": False})
    assert values[4] == 0.0


def test_answers_to_row_refuses_invalid_answers():
    with pytest.raises(AnswerError) as caught:
        answers_to_row(CHECKIN, {"hope_weeks_ahead": True})
    assert caught.value.errors == {"hope_weeks_ahead": ["must be a whole number from 0 to 10"]}


def test_answers_to_matrix_stacks_rows():
    values, not_applicable = answers_to_matrix(
        MADE_UP, [{"mu_still": 5}, {"mu_walked": "na", "mu_meals": 1}]
    )
    nan = np.nan
    np.testing.assert_array_equal(
        values, [[5.0, nan, nan, nan, nan, nan], [nan, nan, nan, nan, nan, 1.0]]
    )
    assert not_applicable.tolist() == [[False] * 6, [False] * 4 + [True, False]]


def one_by_one(instrument, answers):
    """validate_answers' rules applied value by value: the reference its fast path keeps to."""
    items = {item.id: item for item in instrument.items}
    errors = {}
    for key, value in answers.items():
        if key not in items:
            errors[str(key)] = ["unknown item"]
        elif (problem := _answer_problem(items[key], value)) is not None:
            errors[key] = [problem]
    if not errors and all(value is None for value in answers.values()):
        errors[WHOLE_RESPONSE] = ["no question was answered"]
    return errors


INSTRUMENTS = [*REGISTRY, MADE_UP]
ANSWER_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=120),
    st.floats(allow_nan=False, min_value=-3, max_value=12),
    st.sampled_from(["na", "NA", "3", ""]),
)


@given(data=st.data())
def test_every_answer_is_judged_as_value_by_value(data):
    instrument = data.draw(st.sampled_from(INSTRUMENTS))
    keys = st.sampled_from([*instrument.item_ids, "not_an_item"])
    answers = data.draw(st.dictionaries(keys, ANSWER_VALUES, max_size=len(instrument.items) + 1))
    assert validate_answers(instrument, answers) == one_by_one(instrument, answers)
