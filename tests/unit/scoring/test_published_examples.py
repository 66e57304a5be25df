"""Scores against the instruments' documented rules.

WHO-5: raw 0-25 times 4; <= 28 likely depression, <= 50 poor wellbeing
(Topp et al. 2015, Psychother Psychosom 84:167). ONS4 thresholds as published in
ONS personal well-being guidance: 0-4 low, 5-6 medium, 7-8 high, 9-10 very high;
anxiety 0-1 very low, 2-3 low, 4-5 medium, 6-10 high.
"""

from __future__ import annotations

import numpy as np
import pytest

from server.instruments.registry import InstrumentRegistry
from server.scoring import band_label, score_matrix, score_one

REGISTRY = InstrumentRegistry.load()
WHO5 = REGISTRY.latest("who5")
ONS4 = REGISTRY.latest("ons4")
LONELINESS = REGISTRY.latest("ons-loneliness")


def _who5_answers(raw: int) -> dict[str, object]:
    # Spread a raw total over the five 0-5 items, filling from the first.
    answers = {}
    for item in WHO5.items:
        answers[item.id] = min(5, raw)
        raw -= answers[item.id]
    return answers


@pytest.mark.parametrize(
    ("raw", "score", "band"),
    [
        (12, 48.0, "poor wellbeing"),
        (7, 28.0, "likely depression"),
        (13, 52.0, None),
        (0, 0.0, "likely depression"),
        (8, 32.0, "poor wellbeing"),
        (25, 100.0, None),
    ],
)
def test_who5_raw_to_percentage_and_band(raw, score, band):
    assert score_one(WHO5, _who5_answers(raw))["wellbeing"] == {
        "raw": float(raw),
        "score": score,
        "band": band,
        "answered": 5,
        "prorated": False,
        "not_applicable": False,
    }


def test_who5_with_one_item_missing_has_no_score_not_zero():
    answers = _who5_answers(20) | {"who5_rested": None}
    assert score_one(WHO5, answers)["wellbeing"] == {
        "raw": None,
        "score": None,
        "band": None,
        "answered": 4,
        "prorated": False,
        "not_applicable": False,
    }


def test_who5_rows_with_nothing_answered_are_missing_not_zero():
    # np.nansum of an all-NaN row is 0.0, which would read as "likely depression".
    values = np.array([[np.nan] * 5, [0, 0, 0, 0, 0], [5, 5, 5, 5, np.nan]])
    wellbeing = score_matrix(WHO5, values, np.zeros(values.shape, dtype=bool))["wellbeing"]
    np.testing.assert_array_equal(wellbeing.raw, [np.nan, 0.0, np.nan])
    np.testing.assert_array_equal(wellbeing.score, [np.nan, 0.0, np.nan])
    assert wellbeing.band.tolist() == [-1, 0, -1]
    assert wellbeing.answered.tolist() == [0, 5, 4]


ONS_CASES = [
    ("ons_anxiety", "anxiety", 0, "very low"),
    ("ons_anxiety", "anxiety", 1, "very low"),
    ("ons_anxiety", "anxiety", 2, "low"),
    ("ons_anxiety", "anxiety", 3, "low"),
    ("ons_anxiety", "anxiety", 4, "medium"),
    ("ons_anxiety", "anxiety", 5, "medium"),
    ("ons_anxiety", "anxiety", 6, "high"),
    ("ons_anxiety", "anxiety", 10, "high"),
    ("ons_life_satisfaction", "life_satisfaction", 0, "low"),
    ("ons_life_satisfaction", "life_satisfaction", 4, "low"),
    ("ons_life_satisfaction", "life_satisfaction", 5, "medium"),
    ("ons_life_satisfaction", "life_satisfaction", 6, "medium"),
    ("ons_life_satisfaction", "life_satisfaction", 7, "high"),
    ("ons_life_satisfaction", "life_satisfaction", 8, "high"),
    ("ons_life_satisfaction", "life_satisfaction", 9, "very high"),
    ("ons_life_satisfaction", "life_satisfaction", 10, "very high"),
    ("ons_worthwhile", "worthwhile", 6, "medium"),
    ("ons_happiness", "happiness", 9, "very high"),
]


@pytest.mark.parametrize(("item_id", "domain", "rating", "band"), ONS_CASES)
def test_ons4_thresholds(item_id, domain, rating, band):
    scores = score_one(ONS4, {item_id: rating})
    assert scores[domain]["score"] == float(rating)
    assert scores[domain]["band"] == band


def test_ons4_questions_are_scored_separately_and_never_summed():
    scores = score_one(ONS4, {"ons_life_satisfaction": 8, "ons_anxiety": 7})
    assert set(scores) == {"life_satisfaction", "worthwhile", "happiness", "anxiety"}
    assert scores["worthwhile"]["score"] is None
    assert (scores["anxiety"]["score"], scores["anxiety"]["band"]) == (7.0, "high")


def test_a_missing_score_is_never_put_in_the_last_band():
    # searchsorted sorts NaN after every bound: "past the end", next to "high" anxiety.
    values = np.array([[np.nan, np.nan, np.nan, np.nan], [1, 2, 3, 10]])
    scores = score_matrix(ONS4, values, np.zeros(values.shape, dtype=bool))
    (anxiety,) = (rule for rule in ONS4.domains if rule.id == "anxiety")
    assert scores["anxiety"].band.tolist() == [-1, 3]
    assert [band_label(anxiety, int(b)) for b in scores["anxiety"].band] == [None, "high"]
    for domain in scores:
        assert scores[domain].band[0] == -1


@pytest.mark.parametrize(
    ("code", "band"),
    [
        (0, "never"),
        (1, "hardly ever"),
        (2, "occasionally"),
        (3, "some of the time"),
        (4, "often/always"),
    ],
)
def test_loneliness_codes(code, band):
    assert score_one(LONELINESS, {"ons_lonely": code})["loneliness"] == {
        "raw": float(code),
        "score": float(code),
        "band": band,
        "answered": 1,
        "prorated": False,
        "not_applicable": False,
    }
