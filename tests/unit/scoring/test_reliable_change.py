"""Jacobson-Truax reliable change, direction-aware and NaN-safe."""

from __future__ import annotations

import math

import numpy as np
import pytest

from server.instruments.registry import InstrumentRegistry
from server.scoring import domain_reliable_change, reliable_change
from server.scoring.reliable_change import difference_standard_error

REGISTRY = InstrumentRegistry.load()


def test_worked_example_by_hand():
    # SD = 10, r = 0.82:
    #   SE_diff = SD * sqrt(2) * sqrt(1 - r) = 10 * sqrt(2 * 0.18) = 10 * sqrt(0.36) = 6.0
    #   +12 points: RCI = 12 / 6 = 2.0 > 1.96 -> reliable
    #   -12 points: RCI = -2.0 -> reliable the other way
    #   +11.7 points: RCI = 1.95 -> not reliable
    baseline = [50.0, 50.0, 50.0]
    current = [62.0, 38.0, 61.7]
    rci, category = reliable_change(baseline, current, sd=10, reliability=0.82)
    np.testing.assert_allclose(rci, [2.0, -2.0, 1.95])
    assert category.tolist() == [1, -1, 0]
    assert difference_standard_error(10, 0.82) == pytest.approx(6.0)


def test_lower_is_better_flips_the_category_not_the_rci():
    rci, category = reliable_change(
        [6.0, 6.0], [0.0, 12.0], sd=3, reliability=0.5, direction="lower_is_better"
    )
    # SE_diff = 3 * sqrt(2) * sqrt(0.5) = 3.0; RCI = -6 / 3 = -2.0 and +2.0.
    np.testing.assert_allclose(rci, [-2.0, 2.0])
    assert category.tolist() == [1, -1]


def test_missing_scores_give_nan_rci_and_no_reliable_change():
    rci, category = reliable_change(
        [np.nan, 40.0, np.nan], [80.0, np.nan, np.nan], sd=10, reliability=0.8
    )
    assert np.isnan(rci).all()
    assert category.tolist() == [0, 0, 0]
    assert category.dtype == np.int8


def test_who5_uses_published_parameters_and_reproduces_the_published_mdc():
    (wellbeing,) = REGISTRY.latest("who5").domains
    # 40 -> 64 is +24 points, just over the published MDC of 23.6 (Schougaard et al. 2018).
    result = domain_reliable_change(wellbeing, [40.0, 40.0, 64.0], [64.0, 60.0, 36.0])
    assert result.provisional is False
    assert result.threshold == pytest.approx(23.6, abs=0.01)
    assert result.category.tolist() == [1, 0, -1]
    assert "Schougaard" in result.source


@pytest.mark.parametrize("instrument_id", ["alongside-checkin", "ons4", "ons-loneliness"])
def test_other_builtins_say_their_parameters_are_provisional(instrument_id):
    for rule in REGISTRY.latest(instrument_id).domains:
        result = domain_reliable_change(rule, [1.0], [1.0])
        assert result.provisional is True
        assert result.category.tolist() == [0]


def test_anxiety_falling_is_an_improvement():
    anxiety = next(rule for rule in REGISTRY.latest("ons4").domains if rule.id == "anxiety")
    # SE_diff = 3.0 * sqrt(2) * sqrt(0.41) = 2.716...; 9 -> 1 is RCI -2.95.
    result = domain_reliable_change(anxiety, [9.0], [1.0])
    assert result.rci[0] == pytest.approx(-8 / (3.0 * math.sqrt(2) * math.sqrt(0.41)))
    assert result.category.tolist() == [1]


@pytest.mark.parametrize(("sd", "reliability"), [(0, 0.8), (-1, 0.8), (10, 1.0), (10, -0.1)])
def test_parameters_that_cannot_give_a_standard_error_are_refused(sd, reliability):
    with pytest.raises(ValueError, match="must be"):
        reliable_change([1.0], [2.0], sd=sd, reliability=reliability)
