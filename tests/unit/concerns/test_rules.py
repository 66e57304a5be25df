"""The concern rules, table by table: which line each summary gives, and in which words."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from server.concerns.rules import LowCheckin, candidates, quiet_days
from server.concerns.thresholds import (
    DEFAULT_URGENT,
    Threshold,
    parse_thresholds,
    service_thresholds,
    validate_services,
)
from server.concerns.words import span

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
JARGON = re.compile(r"reliable (deterioration|drop|change)|band crossing|\bRCI\b|jacobson", re.I)


def measure(**overrides):
    """A shared-view summary entry: steady, no events, unless overridden."""
    entry = {
        "label": "Trust in my peer worker",
        "direction": "higher_is_better",
        "latest": 8.0,
        "latest_at": "2026-11-30T10:00:00Z",
        "baseline": 8.0,
        "reliable_change": None,
        "deteriorated_at": None,
        "improved_at": None,
        "dropped_at": None,
        "crossing": None,
        "worse_crossing_at": None,
        "better_crossing_at": None,
        "band": None,
        "series": [["2026-11-23T10:00:00Z", 8.0], ["2026-11-30T10:00:00Z", 8.0]],
    }
    return entry | overrides


def document(measures=None, **checkins):
    rhythm = {"total": 2, "days_since_last": 2.0, "median_gap_days": 7.0} | checkins
    rhythm["last_at"] = "2026-11-30T10:00:00Z"
    return {"checkins": rhythm, "measures": measures or {}}


TRUST = "alongside-checkin@1/trust"
HOPE = "alongside-checkin@1/hope"
LONELY = "ons-loneliness@1/loneliness"
CASES = [
    (
        "a lasting fall in trust",
        {
            TRUST: measure(
                latest=3.0, reliable_change="worse", deteriorated_at="2026-11-30T10:00:00Z"
            )
        },
        ("trust", "worse_since_start", True),
        "Trust in you has dropped a lot since they started: from 8 to 3",
    ),
    (
        "hope risen a lot is good news",
        {
            HOPE: measure(
                label="Hope and confidence",
                baseline=2.0,
                latest=7.5,
                reliable_change="better",
                improved_at="2026-11-30T10:00:00Z",
            )
        },
        ("hope", "better_since_start", False),
        "Hope has risen a lot since they started: from 2 to 7.5",
    ),
    (
        "a sharp fall from one check-in to the next",
        {
            TRUST: measure(
                latest=2.0,
                dropped_at="2026-11-30T10:00:00Z",
                series=[["2026-11-23T10:00:00Z", 9.0], ["2026-11-30T10:00:00Z", 2.0]],
            )
        },
        ("trust", "sharp_drop", True),
        "Trust in you fell sharply from one check-in to the next: from 9 to 2",
    ),
    (
        "other scales raise no change concern (very low answers on them are urgent)",
        {
            LONELY: measure(
                label="How often lonely",
                direction="lower_is_better",
                baseline=0.0,
                latest=4.0,
                reliable_change="worse",
                deteriorated_at="2026-11-30T10:00:00Z",
            )
        },
        None,
        None,
    ),
    (
        "an old drop is history, not news",
        {TRUST: measure(dropped_at="2026-09-01T10:00:00Z")},
        None,
        None,
    ),
]


@pytest.mark.parametrize(
    ("story", "measures", "expected", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_each_summary_gives_one_plain_line(story, measures, expected, message):
    found = candidates(document(measures), None, NOW)
    if expected is None:
        assert found == []
        return
    (candidate,) = found
    assert (candidate.measure, candidate.kind, candidate.concern) == expected
    assert candidate.message == message
    assert not JARGON.search(candidate.message)


def test_worries_come_before_good_news_and_follow_the_change_model():
    worse = {"reliable_change": "worse", "deteriorated_at": "2026-11-30T10:00:00Z"}
    better = {"reliable_change": "better", "improved_at": "2026-11-30T10:00:00Z", "baseline": 2.0}
    found = candidates(
        document(
            {
                "who5@1/wellbeing": measure(label="WHO-5", baseline=80.0, latest=20.0, **worse),
                HOPE: measure(**better),
                TRUST: measure(latest=2.0, **worse),
                "alongside-checkin@1/connection": measure(**better),
            }
        ),
        None,
        NOW,
    )
    assert [c.measure for c in found] == ["trust", "wellbeing", "hope", "connection"]
    assert [c.concern for c in found] == [True, True, False, False]


def test_a_measure_with_a_lasting_fall_and_a_sharp_drop_gets_one_line():
    both = measure(
        latest=2.0,
        reliable_change="worse",
        deteriorated_at="2026-11-30T10:00:00Z",
        dropped_at="2026-11-30T10:00:00Z",
        crossing="worse",
        worse_crossing_at="2026-11-30T10:00:00Z",
    )
    (only,) = candidates(document({TRUST: both}), None, NOW)
    assert only.kind == "worse_since_start"


WELLBEING = "who5@1/wellbeing"


def wellbeing(before: float, after: float, band: str | None) -> dict:
    return measure(
        label="WHO-5 wellbeing (0-100)",
        baseline=before,
        latest=after,
        band=band,
        crossing="worse" if after < before else "better",
        worse_crossing_at="2026-11-30T10:00:00Z" if after < before else None,
        better_crossing_at="2026-11-30T10:00:00Z" if after > before else None,
        reliable_change_threshold=23.6,
        series=[["2026-11-23T10:00:00Z", before], ["2026-11-30T10:00:00Z", after]],
    )


@pytest.mark.parametrize(
    ("before", "after", "band", "expected"),
    [
        (52.0, 48.0, "poor wellbeing", None),  # jitter around the line at 50
        (
            68.0,
            44.0,
            "poor wellbeing",
            "Wellbeing has moved into a worse range: now “poor wellbeing”",
        ),
        (36.0, 60.0, None, "Wellbeing has moved into a better range: out of the low range"),
    ],
)
def test_a_move_between_ranges_counts_only_when_it_is_more_than_jitter(
    before, after, band, expected
):
    found = candidates(document({WELLBEING: wellbeing(before, after, band)}), None, NOW)
    assert [c.message for c in found] == ([expected] if expected else [])


def test_very_low_answers_come_first_and_name_what_was_low():
    low = LowCheckin(
        at="2026-12-01T09:00:00Z",
        measures=(("who5@1/wellbeing", "WHO-5 wellbeing (0-100)"), (LONELY, "How often lonely")),
    )
    improving = measure(reliable_change="better", improved_at="2026-11-30T10:00:00Z", baseline=2.0)
    found = candidates(document({HOPE: improving}), low, NOW)
    assert [c.kind for c in found] == ["urgent", "better_since_start"]
    urgent = found[0]
    assert urgent.urgent
    assert urgent.concern
    assert urgent.message == (
        "Very low answers in a shared check-in: wellbeing and feeling lonely often or always. "
        "They may need a conversation soon."
    )
    assert "WHO" not in urgent.message


@pytest.mark.parametrize(
    ("days", "gap", "quiet"),
    [(13.9, 3.0, None), (14.0, 3.0, 14), (20.0, 14.0, None), (29.5, 14.0, 29)],
)
def test_quiet_means_longer_than_usual_and_at_least_two_weeks(days, gap, quiet):
    assert quiet_days(document(days_since_last=days, median_gap_days=gap)) == quiet


def test_quiet_line_counts_in_words():
    (line,) = candidates(document(days_since_last=22.0), None, NOW)
    assert (line.kind, line.message) == ("quiet", "No shared check-in for 3 weeks")
    assert [span(d) for d in (1, 10, 21, 70)] == ["1 day", "10 days", "3 weeks", "2 months"]


def test_thresholds_default_and_per_service():
    defaults = service_thresholds({}, "Riverside")
    assert {t.measure for t in defaults} == set(DEFAULT_URGENT)
    who5 = next(t for t in defaults if t.measure == "who5/wellbeing")
    assert who5.crossed(28.0)
    assert not who5.crossed(32.0)
    own = {"Riverside": {"urgent": {"who5/wellbeing": {"at_most": 40}}}}
    assert service_thresholds(own, "Riverside") == (Threshold("who5/wellbeing", 40, None),)
    assert service_thresholds(own, "Elsewhere") == defaults


@pytest.mark.parametrize(
    "bad",
    [
        {"S": {"urgent": {"who5": {"at_most": 28}}}},
        {"S": {"urgent": {"who5/wellbeing": {"below": 28}}}},
        {"S": {"urgent": {"who5/wellbeing": {"at_most": "low"}}}},
        {"S": {"urgent": {"who5/wellbeing": {"at_most": True}}}},
        {"S": "not a table"},
        ["not", "a", "table"],
    ],
)
def test_malformed_thresholds_are_refused_with_a_message(bad):
    with pytest.raises(ValueError, match=r"."):
        validate_services(bad)


def test_parse_thresholds_reads_both_bounds():
    (found,) = parse_thresholds({"ons-loneliness/loneliness": {"at_least": 4}}, "here")
    assert found.crossed(4)
    assert not found.crossed(3)
