"""Engine rules: not applicable versus skipped, prorating, reverse keying, lookups, totals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from server.instruments.registry import InstrumentRegistry
from server.scoring import score_matrix, score_one
from tests.unit.instruments.made_up import LOOKUP, made_up_instrument

CHECKIN = InstrumentRegistry.load().latest("alongside-checkin")
MADE_UP = made_up_instrument(LOOKUP)


def test_trust_not_applicable_differs_from_trust_skipped():
    no_contact = {"trust_peer_worker": "na", "trust_understood": "na", "hope_weeks_ahead": 6}
    skipped = {"trust_peer_worker": None, "hope_weeks_ahead": 6}
    assert score_one(CHECKIN, no_contact)["trust"] == {
        "raw": None,
        "score": None,
        "band": None,
        "answered": 0,
        "prorated": False,
        "not_applicable": True,
    }
    assert score_one(CHECKIN, skipped)["trust"] == {
        "raw": None,
        "score": None,
        "band": None,
        "answered": 0,
        "prorated": False,
        "not_applicable": False,
    }


def test_not_applicable_never_counts_as_an_answer_even_with_a_number_under_it():
    values = np.full((1, len(CHECKIN.items)), np.nan)
    values[0, :3] = [9, 9, 9]
    mask = np.zeros(values.shape, dtype=bool)
    mask[0, :3] = True
    trust = score_matrix(CHECKIN, values, mask)["trust"]
    assert np.isnan(trust.raw[0])
    assert (trust.answered[0], trust.not_applicable[0]) == (0, True)


@pytest.mark.parametrize(
    ("trust_answers", "raw", "answered", "prorated", "not_applicable"),
    [
        # Mean of the answered items; at least 2 of the 3 needed.
        ([8, 6, 10], 8.0, 3, False, False),
        ([8, 5, None], 6.5, 2, True, False),
        ([None, 5, 9], 7.0, 2, True, False),
        ([8, None, None], None, 1, False, False),
        # One answered, the rest not applicable: too few to score, but not "not applicable".
        ([8, "na", "na"], None, 1, False, False),
        (["na", "na", None], None, 0, False, True),
        (["na", 7, 9], 8.0, 2, True, False),
    ],
)
def test_mean_domain_with_minimum_answered_items(
    trust_answers, raw, answered, prorated, not_applicable
):
    ids = ["trust_peer_worker", "trust_understood", "trust_own_pace"]
    answers = dict(zip(ids, trust_answers, strict=True)) | {"active_days": 2}
    trust = score_one(CHECKIN, answers)["trust"]
    assert (trust["raw"], trust["answered"], trust["prorated"], trust["not_applicable"]) == (
        raw,
        answered,
        prorated,
        not_applicable,
    )
    assert trust["score"] == raw


def test_active_days_is_its_own_count_never_mixed_into_a_mean():
    scores = score_one(CHECKIN, {"connection_people": 4, "active_days": 7})
    assert scores["connection"]["score"] == 4.0
    assert scores["active_days"]["score"] == 7.0
    assert scores["hope"]["score"] is None


def test_reverse_keyed_item_is_flipped_before_summing():
    # mu_restless is reverse-keyed on 1..5: 2 counts as 1 + 5 - 2 = 4.
    values = np.array([[1, 1, 2, 1, np.nan, np.nan], [1, 1, 4, 1, np.nan, np.nan]])
    calm = score_matrix(MADE_UP, values, np.zeros(values.shape, dtype=bool))["calm"]
    assert calm.raw.tolist() == [7.0, 5.0]
    assert calm.score.tolist() == [11.8, 9.1]


def test_prorated_sum_scales_to_the_full_item_count():
    # 3 of 4 answered (minimum 3): 1 + 2 + 3 = 6, prorated 6 * 4 / 3 = 8 -> 12.9 "low".
    # 2 of 4 answered: below the minimum, no score.
    values = np.array([[1, 2, np.nan, 3, 1, 2], [1, 2, np.nan, np.nan, 1, 2]])
    calm = score_matrix(MADE_UP, values, np.zeros(values.shape, dtype=bool))["calm"]
    np.testing.assert_array_equal(calm.raw, [8.0, np.nan])
    np.testing.assert_array_equal(calm.score, [12.9, np.nan])
    assert calm.band.tolist() == [0, -1]
    assert calm.prorated.tolist() == [True, False]
    assert calm.refused.tolist() == [False, False]


def test_total_needs_every_item_when_it_does_not_prorate():
    complete = [2, 2, 2, 2, 1, 2]  # reverse-keyed 2 -> 4: 2 + 2 + 4 + 2 + 1 + 2 = 13
    values = np.array([complete, [*complete[:5], np.nan]], dtype=float)
    total = score_matrix(MADE_UP, values, np.zeros(values.shape, dtype=bool))["total"]
    np.testing.assert_array_equal(total.raw, [13.0, np.nan])
    # The habits domain still scores from one item: mean(1) * 50.
    habits = score_matrix(MADE_UP, values, np.zeros(values.shape, dtype=bool))["habits"]
    np.testing.assert_array_equal(habits.score, [75.0, 50.0])
    assert habits.prorated.tolist() == [False, True]


def test_lookup_refuses_a_raw_score_outside_its_table():
    # A hand-built matrix can carry a value outside an item's range; the table stops at 4..20.
    values = np.array([[0, 0, 6, 0, np.nan, np.nan]])  # 0 + 0 + (6 -> 0) + 0 = 0
    calm = score_matrix(MADE_UP, values, np.zeros(values.shape, dtype=bool))["calm"]
    assert (calm.raw[0], np.isnan(calm.score[0]), calm.refused[0]) == (0.0, True, True)


def test_score_one_is_small_and_json_able():
    scores = score_one(
        CHECKIN, {"trust_peer_worker": "na", "hope_weeks_ahead": 5, "hope_self_care": 6}
    )
    assert json.loads(json.dumps(scores, allow_nan=False)) == scores
    assert set(scores) == {"trust", "hope", "connection", "active_days"}
    assert set(scores["hope"]) == {"raw", "score", "band", "answered", "prorated", "not_applicable"}
    assert scores["hope"]["score"] == 5.5


def test_matrix_results_are_read_only_and_shapes_are_checked():
    values = np.zeros((2, len(MADE_UP.items)))
    scores = score_matrix(MADE_UP, values, np.zeros(values.shape, dtype=bool))
    with pytest.raises(ValueError, match="read-only"):
        scores["calm"].raw[0] = 1.0
    with pytest.raises(ValueError, match=r"shape \(occasions, 6\)"):
        score_matrix(MADE_UP, np.zeros((2, 5)), np.zeros((2, 5), dtype=bool))
    with pytest.raises(ValueError, match="na_mask shape"):
        score_matrix(MADE_UP, values, np.zeros((2, 5), dtype=bool))


def test_an_empty_matrix_scores_to_empty_arrays():
    scores = score_matrix(MADE_UP, np.zeros((0, 6)), np.zeros((0, 6), dtype=bool))
    assert scores["calm"].score.shape == (0,)
    assert list(scores) == ["calm", "habits", "total"]
