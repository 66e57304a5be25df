"""Built-ins plus plug-ins, every version kept, and an ETag that moves only with what is served."""

from __future__ import annotations

import json

import numpy as np
import pytest

from server.instruments.loader import InstrumentDefinitionError
from server.instruments.registry import InstrumentRegistry, UnknownInstrumentError
from server.scoring import score_matrix, score_one
from tests.unit.instruments.made_up import (
    LOOKUP,
    VERSIONED_V1,
    VERSIONED_V2,
    made_up_definition,
    plug_in,
)

BUILTIN_IDS = ["alongside-checkin", "ons-loneliness", "ons4", "who5"]


def test_builtins_load_without_a_plugin_directory(tmp_path):
    registry = InstrumentRegistry.load()
    assert [i.id for i in registry.all_latest()] == BUILTIN_IDS
    assert len(InstrumentRegistry.load(tmp_path / "no-such-folder")) == 4


def test_plugin_with_a_lookup_table_loads_validates_and_scores(tmp_path):
    registry = InstrumentRegistry.load(plug_in(tmp_path / "instruments", LOOKUP))
    scale = registry.latest("made-up-lookup")
    assert [i.id for i in registry.all_latest()] == sorted([*BUILTIN_IDS, "made-up-lookup"])
    assert scale.origin.endswith("made-up-lookup.json")
    # Raw 4 (lowest), 12 (middle) and 20 (highest) through the invented table.
    # mu_restless is reverse-keyed on 1..5: an answer of 5 counts as 1.
    cases = [
        ({"mu_still": 1, "mu_steady": 1, "mu_restless": 5, "mu_settled": 1}, 4.0, 7.0, "low"),
        ({"mu_still": 3, "mu_steady": 3, "mu_restless": 3, "mu_settled": 3}, 12.0, 16.6, "typical"),
        ({"mu_still": 5, "mu_steady": 5, "mu_restless": 1, "mu_settled": 5}, 20.0, 28.0, None),
    ]
    for answers, raw, score, band in cases:
        calm = score_one(scale, answers)["calm"]
        assert (calm["raw"], calm["score"], calm["band"]) == (raw, score, band)


def test_plugin_lookup_refuses_a_prorated_raw_that_is_not_whole(tmp_path):
    scale = InstrumentRegistry.load(plug_in(tmp_path, LOOKUP)).latest("made-up-lookup")
    # Three of four answered, sum 2 + 3 + 4 = 9, prorated 9 * 4 / 3 = 12: whole, so looked up.
    whole = {"mu_still": 2, "mu_steady": 3, "mu_settled": 4}
    assert score_one(scale, whole)["calm"] | {"band": None} == {
        "raw": 12.0,
        "score": 16.6,
        "band": None,
        "answered": 3,
        "prorated": True,
        "not_applicable": False,
    }
    # Sum 2 + 3 + 5 = 10, prorated 10 * 4 / 3 = 13.33...: refused, never rounded to 13.
    values = np.array([[2, 3, np.nan, 5, np.nan, np.nan]])
    calm = score_matrix(scale, values, np.zeros(values.shape, dtype=bool))["calm"]
    assert calm.raw[0] == pytest.approx(40 / 3)
    assert np.isnan(calm.score[0])
    assert calm.refused[0]
    assert calm.band[0] == -1


def test_two_versions_side_by_side_each_scored_by_its_own_rules(tmp_path):
    registry = InstrumentRegistry.load(plug_in(tmp_path, VERSIONED_V1, VERSIONED_V2))
    assert registry.versions("made-up-versioned") == [1, 2]
    assert registry.latest("made-up-versioned").version == 2
    answers = {"mv_a": 4, "mv_b": 2, "mv_c": 1}
    # v1: plain sum 4 + 2 + 1 = 7, band "middling" (5..8).
    assert score_one(registry.get("made-up-versioned", 1), answers)["mood"] == {
        "raw": 7.0,
        "score": 7.0,
        "band": "middling",
        "answered": 3,
        "prorated": False,
        "not_applicable": False,
    }
    # v2: mv_c reverse-keyed (4 - 1 = 3), mean (4 + 2 + 3) / 3 = 3, times 25 = 75, above every band.
    assert score_one(registry.get("made-up-versioned", 2), answers)["mood"] == {
        "raw": 3.0,
        "score": 75.0,
        "band": None,
        "answered": 3,
        "prorated": False,
        "not_applicable": False,
    }
    assert [d["version"] for d in registry.served() if d["id"] == "made-up-versioned"] == [2]


def test_unknown_instrument_or_version():
    registry = InstrumentRegistry.load()
    with pytest.raises(UnknownInstrumentError):
        registry.get("who5", 2)
    with pytest.raises(UnknownInstrumentError):
        registry.latest("wemwbs")
    assert ("who5", 1) in registry


def test_duplicate_id_and_version_across_files_names_both_files(tmp_path):
    plugins = plug_in(tmp_path, VERSIONED_V1)
    (plugins / "copy.json").write_text(
        json.dumps(made_up_definition(VERSIONED_V1)), encoding="utf-8"
    )
    with pytest.raises(InstrumentDefinitionError) as caught:
        InstrumentRegistry.load(plugins)
    message = str(caught.value)
    assert "made-up-versioned-v1.json: $.version: 'made-up-versioned' version 1" in message
    assert str(plugins / "copy.json") in message


def test_a_plugin_cannot_redefine_a_builtin_version(tmp_path):
    who5 = InstrumentRegistry.load().latest("who5").definition()
    (tmp_path / "who5.json").write_text(json.dumps(who5), encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="'who5' version 1 is already defined"):
        InstrumentRegistry.load(tmp_path)


def test_etag_is_stable_and_changes_only_with_what_is_served(tmp_path):
    builtins = InstrumentRegistry.load()
    assert InstrumentRegistry.load().etag == builtins.etag
    assert len(builtins.etag) == 64
    # An older version does not change what is served, so not the ETag either.
    older = plug_in(tmp_path / "older", VERSIONED_V1, VERSIONED_V2)
    newer_only = plug_in(tmp_path / "newer", VERSIONED_V2)
    assert InstrumentRegistry.load(older).etag == InstrumentRegistry.load(newer_only).etag
    assert InstrumentRegistry.load(newer_only).etag != builtins.etag
    # Reformatting a file changes nothing served.
    reformatted = tmp_path / "reformatted"
    reformatted.mkdir()
    text = json.dumps(made_up_definition(VERSIONED_V2), indent=7, sort_keys=False)
    (reformatted / "v2.json").write_text(text, encoding="utf-8")
    assert InstrumentRegistry.load(reformatted).etag == InstrumentRegistry.load(newer_only).etag


def test_served_is_the_definition_json_of_the_latest_versions():
    registry = InstrumentRegistry.load()
    served = registry.served()
    assert [d["id"] for d in served] == BUILTIN_IDS
    who5 = next(d for d in served if d["id"] == "who5")
    assert who5["items"][0]["text"] == "I have felt cheerful and in good spirits"
    served[0]["title"] = "changed by a caller"
    assert registry.served()[0]["title"] == "Alongside check-in"
