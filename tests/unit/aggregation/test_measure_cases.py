"""Worked cases of one person's summary: what a peer worker would read off the page."""

from __future__ import annotations

import math

import numpy as np
import pytest

from server.aggregation.measure_key import MeasureKey, measure_rule
from server.aggregation.measures import MeasureSeries, summarise_measure
from server.aggregation.person_summary import person_document, summarise_people
from server.aggregation.regularity import checkin_regularity
from server.instruments.registry import InstrumentRegistry

REGISTRY = InstrumentRegistry.load()
DAY = 86_400.0
NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z


def one_person(key_text: str, rows: list[tuple[float, float]], now: float = NOW):
    """Summary of one person whose (days before now, score) rows are given oldest first."""
    key = MeasureKey.parse(key_text)
    series = MeasureSeries(
        key=key,
        rule=measure_rule(REGISTRY, key),
        person=[0] * len(rows),
        time=[now - days * DAY for days, _ in rows],
        score=[score for _, score in rows],
    )
    return summarise_measure(series=series, people=1, now=now)


def test_who5_falling_into_likely_depression():
    summary = one_person("who5@1/wellbeing", [(14, 60.0), (7, 40.0), (0, 20.0)])
    assert summary.latest[0] == 20.0
    assert summary.baseline[0] == 60.0
    assert summary.mean_4w[0] == pytest.approx(40.0)
    assert summary.trend_per_week[0] == pytest.approx(-20.0)
    # Threshold 1.96 x 19.53 x sqrt(2) x sqrt(0.19) = 23.60 points, the published MDC.
    assert summary.reliable_change_threshold == pytest.approx(23.60, abs=0.01)
    assert summary.rci[0] == pytest.approx(-40.0 / (19.53 * math.sqrt(2) * math.sqrt(0.19)))
    assert summary.reliable_change[0] == -1
    assert summary.deteriorated_at[0] == NOW  # 40 was not yet reliably worse than 60
    assert math.isnan(summary.dropped_at[0])  # no single step fell by 23.6 points
    assert REGISTRY.get("who5", 1).domains[0].bands[summary.band[0]].label == "likely depression"
    assert summary.crossings[0] == 2
    assert summary.crossing_direction[0] == -1
    assert summary.crossed_at[0] == summary.worse_crossing_at[0] == NOW


def test_rising_anxiety_is_worse_because_lower_is_better():
    summary = one_person("ons4@1/anxiety", [(30, 2.0), (0, 8.0)])
    assert summary.reliable_change[0] == -1
    assert summary.crossing_direction[0] == -1
    assert summary.rci[0] == pytest.approx(6.0 / (3.0 * math.sqrt(2) * math.sqrt(0.41)))


def test_a_sharp_drop_after_a_good_spell_is_seen_even_when_baseline_relative_change_is_not():
    summary = one_person("who5@1/wellbeing", [(21, 40.0), (14, 80.0), (0, 40.0)])
    assert summary.reliable_change[0] == 0  # back where they started
    assert summary.dropped_at[0] == NOW
    assert summary.crossing_direction[0] == -1


def test_staying_reliably_worse_is_one_event():
    summary = one_person("who5@1/wellbeing", [(21, 80.0), (14, 20.0), (7, 20.0), (0, 24.0)])
    assert summary.deteriorated_at[0] == NOW - 14 * DAY
    assert summary.crossings[0] == 1


@pytest.mark.parametrize(
    ("rows", "why"),
    [
        ([(10, 5.0), (5, 6.0), (0, 7.0)], "three scores spanning only ten days"),
        ([(20, 5.0), (0, 7.0)], "two scores"),
        ([(100, 5.0), (90, 6.0), (0, 7.0)], "two of them older than twelve weeks"),
    ],
)
def test_no_trend_without_three_scores_over_two_weeks(rows, why):
    summary = one_person("alongside-checkin@1/hope", rows)
    assert math.isnan(summary.trend_per_week[0]), why


def test_a_single_score_is_no_change():
    summary = one_person("alongside-checkin@1/trust", [(3, 7.0)])
    assert summary.count[0] == 1
    assert math.isnan(summary.rci[0])
    assert summary.reliable_change[0] == 0
    assert summary.crossings[0] == 0


def test_old_scores_leave_the_four_week_mean_and_unscorable_occasions_are_ignored():
    summary = one_person("alongside-checkin@1/hope", [(60, 2.0), (40, math.nan), (35, 4.0)])
    assert summary.count[0] == 2
    assert summary.n_4w[0] == 0
    assert math.isnan(summary.mean_4w[0])
    assert summary.latest[0] == 4.0


def test_rows_out_of_order_are_refused():
    key = MeasureKey.parse("who5@1/wellbeing")
    series = MeasureSeries(
        key=key,
        rule=measure_rule(REGISTRY, key),
        person=[0, 0],
        time=[NOW, NOW - DAY],
        score=[1, 2],
    )
    with pytest.raises(ValueError, match="sorted"):
        summarise_measure(series=series, people=1, now=NOW)


def test_measure_keys_name_a_scored_domain():
    assert str(MeasureKey.parse("ons4@1/anxiety")) == "ons4@1/anxiety"
    with pytest.raises(ValueError, match="not a measure key"):
        MeasureKey.parse("ons4/anxiety")
    with pytest.raises(KeyError, match="no such domain"):
        measure_rule(REGISTRY, MeasureKey.parse("ons4@1/sadness"))


def test_regularity_of_someone_who_joined_a_fortnight_ago():
    rhythm = checkin_regularity(
        person=[0, 0, 1], time=[NOW - 14 * DAY, NOW - 7 * DAY, NOW - 100 * DAY], people=3, now=NOW
    )
    assert rhythm.per_week[0] == pytest.approx(1.0)  # twice in two weeks is weekly
    assert rhythm.median_gap_days[0] == pytest.approx(7.0)
    assert rhythm.days_since_last[0] == pytest.approx(7.0)
    assert rhythm.recent[1] == 0
    assert rhythm.per_week[1] == 0.0
    assert rhythm.total[2] == 0
    assert np.isnan(rhythm.days_since_last[2])


def test_person_document_is_plain_json_with_only_measures_they_answered():
    who5 = MeasureKey.parse("who5@1/wellbeing")
    hope = MeasureKey.parse("alongside-checkin@1/hope")
    summaries = summarise_people(
        people=2,
        series=[
            MeasureSeries(who5, measure_rule(REGISTRY, who5), [0], [NOW - DAY], [48.0]),
            MeasureSeries(hope, measure_rule(REGISTRY, hope), [1], [NOW - DAY], [6.5]),
        ],
        checkin_person=[0, 1],
        checkin_time=[NOW - DAY, NOW - DAY],
        now=NOW,
    )
    document = person_document(summaries=summaries, person=0)
    assert document["computed_at"] == "2027-01-15T08:00:00Z"
    assert document["checkins"]["last_at"] == "2027-01-14T08:00:00Z"
    assert list(document["measures"]) == ["who5@1/wellbeing"]
    wellbeing = document["measures"]["who5@1/wellbeing"]
    assert wellbeing["band"] == "poor wellbeing"
    assert wellbeing["mechanism"] == "wellbeing"
    assert wellbeing["rci"] is None
    assert wellbeing["reliable_change"] is None
    with pytest.raises(IndexError):
        person_document(summaries=summaries, person=2)
