"""A broken definition fails with the file, the JSON path inside it, and what is wrong."""

from __future__ import annotations

import json

import pytest

from server.instruments.loader import InstrumentDefinitionError, read_definition
from server.instruments.registry import InstrumentRegistry
from tests.unit.instruments.made_up import LOOKUP, made_up_definition


def _break_max(d):
    d["items"][0]["response"]["max"] = "five"


def _break_domain(d):
    d["items"][1]["domain"] = "clam"


def _break_bands(d):
    d["scoring"]["domains"][0]["bands"][1]["upper"] = 12.0


def _break_table(d):
    del d["scoring"]["domains"][0]["transform"]["table"]["12"]


def _break_prorate(d):
    d["scoring"]["domains"][0]["prorate"] = False


def _break_na_label(d):
    del d["items"][4]["not_applicable_label"]


def _break_typo(d):
    d["scoring"]["domains"][1]["prorat"] = True


def _break_total(d):
    d["scoring"]["total"]["domains"] = ["calm", "habbits"]


def _break_reliability(d):
    d["scoring"]["domains"][0]["reliable_change"]["reliability"] = 1


def _break_duplicate_item(d):
    d["items"][3]["id"] = "mu_still"


def _break_anchor(d):
    d["items"][0]["response"]["anchors"][1]["value"] = 9


def _break_reserved(d):
    d["scoring"]["domains"][1]["id"] = "total"
    for item in d["items"][4:]:
        item["domain"] = "total"


BREAKAGES = [
    (_break_max, "$.items[0].response.max", "'five' is not of type 'integer'"),
    (_break_domain, "$.items[1].domain", "no scoring domain 'clam'"),
    (_break_bands, "$.scoring.domains[0].bands[1].upper", "must be greater than the previous"),
    (_break_table, "$.scoring.domains[0].transform.table", "no entry for raw scores 12"),
    (_break_prorate, "$.scoring.domains[0].min_answered", "must be 4 (every item)"),
    (_break_na_label, "$.items[4]", "'not_applicable_label' is a required property"),
    (_break_typo, "$.scoring.domains[1]", "'prorat' was unexpected"),
    (_break_total, "$.scoring.total.domains[1]", "no scoring domain 'habbits'"),
    (_break_reliability, "$.scoring.domains[0].reliable_change.reliability", "1"),
    (_break_duplicate_item, "$.items[3].id", "duplicate item id 'mu_still'"),
    (_break_anchor, "$.items[0].response.anchors[1].value", "9 is outside 1 to 5"),
    (_break_reserved, "$.scoring.domains[1].id", "'total' is reserved"),
]


@pytest.mark.parametrize(
    ("breakage", "json_path", "reason"), BREAKAGES, ids=lambda b: getattr(b, "__name__", "")
)
def test_broken_plugin_names_file_path_and_reason(tmp_path, breakage, json_path, reason):
    definition = made_up_definition(LOOKUP)
    breakage(definition)
    plugins = tmp_path / "instruments"
    plugins.mkdir()
    (plugins / "site-scale.json").write_text(json.dumps(definition), encoding="utf-8")

    with pytest.raises(InstrumentDefinitionError) as caught:
        InstrumentRegistry.load(plugins)

    message = str(caught.value)
    assert caught.value.file == str(plugins / "site-scale.json")
    assert f"site-scale.json: {json_path}: " in message
    assert reason in message
    assert any(problem.path == json_path for problem in caught.value.problems)


def test_invalid_json_reports_line_and_column(tmp_path):
    path = tmp_path / "half-written.json"
    path.write_text('{\n  "id": "x",\n  "version": 1\n  "title": "oops"\n}', encoding="utf-8")
    with pytest.raises(
        InstrumentDefinitionError,
        match=r"half-written\.json: \$: is not valid JSON: "
        r"Expecting ',' delimiter \(line 4, column 3\)",
    ):
        read_definition(path)


def test_duplicate_keys_are_refused_not_silently_merged(tmp_path):
    path = tmp_path / "pasted.json"
    path.write_text('{"id": "a", "id": "b"}', encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="the key 'id' appears twice in one object"):
        read_definition(path)


def test_a_plugin_path_that_is_a_file_is_an_error(tmp_path):
    not_a_directory = tmp_path / "instruments"
    not_a_directory.write_text("", encoding="utf-8")
    with pytest.raises(InstrumentDefinitionError, match="must be a directory"):
        InstrumentRegistry.load(not_a_directory)
