"""The built-in definitions: valid, cited, and saying what DESIGN.md section 7 asks of them."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from server.instruments.loader import BUILTIN_DIRECTORY, instrument_schema, read_definition
from server.instruments.model import MECHANISMS
from server.instruments.registry import InstrumentRegistry

BUILTIN_FILES = sorted(BUILTIN_DIRECTORY.glob("*.json"))


def test_the_four_builtins_ship():
    assert [path.name for path in BUILTIN_FILES] == [
        "alongside-checkin.json",
        "ons-loneliness.json",
        "ons4.json",
        "who5.json",
    ]


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_builtin_validates_against_the_schema(path):
    document = json.loads(path.read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(instrument_schema()).iter_errors(document))
    assert errors == []
    instrument = read_definition(path)
    assert path.name == f"{instrument.id}.json"


@pytest.mark.parametrize("path", BUILTIN_FILES, ids=lambda p: p.name)
def test_builtin_cites_source_and_licence_and_tags_every_item_with_a_mechanism(path):
    instrument = read_definition(path)
    assert instrument.source.citation
    assert instrument.source.url is not None
    assert instrument.licence.name
    assert instrument.licence.terms
    for item in instrument.items:
        assert item.mechanism in MECHANISMS, item.id
    for rule in instrument.scored:
        assert rule.reliable_change is not None, rule.id
        assert rule.reliable_change.source


@pytest.mark.parametrize(
    ("instrument_id", "cadence_days"),
    [("alongside-checkin", 7), ("who5", 14), ("ons4", 28), ("ons-loneliness", 28)],
)
def test_default_cadence(instrument_id, cadence_days):
    assert InstrumentRegistry.load().latest(instrument_id).default_cadence_days == cadence_days


def test_checkin_domains_follow_the_change_model():
    checkin = InstrumentRegistry.load().latest("alongside-checkin")
    domains = {rule.id: rule for rule in checkin.domains}
    assert {d: (r.mechanism, r.method) for d, r in domains.items()} == {
        "trust": ("trusting_relationship", "mean"),
        "hope": ("role_modelling_recovery", "mean"),
        "connection": ("bridging_engagement", "mean"),
        "active_days": ("bridging_engagement", "sum"),
    }
    assert checkin.total is None  # active days must never be mixed into a 0-10 mean
    assert all(rule.direction == "higher_is_better" for rule in checkin.domains)
    assert all(
        rule.reliable_change and rule.reliable_change.provisional for rule in checkin.domains
    )
    for item in checkin.items:
        if item.domain == "active_days":
            assert (item.response_type, item.minimum, item.maximum) == ("count", 0, 7)
        else:
            assert (item.response_type, item.minimum, item.maximum) == ("scale", 0, 10)
            assert not item.reverse_keyed  # higher is always better
        trust = item.domain == "trust"
        assert item.allow_not_applicable is trust
        assert ("requires_peer_link" in item.tags) is trust
    assert [i.id for i in checkin.items if i.optional] == [
        "trust_own_pace",
        "hope_have_a_say",
        "connection_asking_services",
    ]
    assert "note" not in checkin.item_ids  # the free-text note is never an item


def test_who5_and_ons_scoring_rules():
    registry = InstrumentRegistry.load()
    (who5,) = registry.latest("who5").domains
    assert (who5.method, who5.min_answered, who5.prorate) == ("sum", 5, False)
    assert (who5.transform.kind, who5.transform.multiply) == ("linear", 4.0)
    assert [(b.upper, b.label) for b in who5.bands] == [
        (28.0, "likely depression"),
        (50.0, "poor wellbeing"),
    ]
    assert who5.reliable_change is not None
    assert not who5.reliable_change.provisional
    ons4 = registry.latest("ons4")
    assert ons4.total is None  # never summed
    directions = {rule.id: rule.direction for rule in ons4.domains}
    assert directions == {
        "life_satisfaction": "higher_is_better",
        "worthwhile": "higher_is_better",
        "happiness": "higher_is_better",
        "anxiety": "lower_is_better",
    }
    (loneliness,) = registry.latest("ons-loneliness").domains
    assert loneliness.direction == "lower_is_better"
    assert registry.latest("ons-loneliness").items[0].option_values == (4, 3, 2, 1, 0)
