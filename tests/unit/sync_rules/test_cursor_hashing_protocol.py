"""Cursors round-trip and refuse anything else; the change hash; the fast change reader."""

from __future__ import annotations

import json
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError

from sync.cursor import MAX_SEQ, CursorError, decode_cursor, encode_cursor
from sync.hashing import canonical_json, change_hash
from sync.protocol import Change, flatten_errors, load_change


def test_the_cursor_of_the_protocol_example():
    assert encode_cursor(43) == "v1.NDM"
    assert decode_cursor("v1.NDM") == 43


@given(st.integers(min_value=0, max_value=MAX_SEQ))
def test_cursors_round_trip(seq):
    assert decode_cursor(encode_cursor(seq)) == seq


def test_no_cursor_means_the_beginning():
    assert decode_cursor(None) == 0
    assert decode_cursor("") == 0


@pytest.mark.parametrize(
    "cursor",
    ["43", "v1", "v1.", "v2.NDM", "v1.NDM=", "v1.LTE", "v1.MDQz", "v1.KzQz", "v1.IDQz", "v1.@@"],
)
def test_anything_but_a_cursor_we_wrote_is_refused(cursor):
    with pytest.raises(CursorError):
        decode_cursor(cursor)


@given(st.text(max_size=40))
def test_decoding_never_fails_any_other_way(text):
    try:
        seq = decode_cursor(text)
    except CursorError:
        return
    assert encode_cursor(seq) == text or text == ""


CHANGE = {
    "change_id": "0b7e4a1c-0000-4000-8000-000000000001",
    "id": "c1d2e3f4-0000-4000-8000-000000000002",
    "op": "put",
    "base_rev": None,
    "changed_at": "2026-11-20T09:15:03+00:00",
    "data": {
        "recorded_at": "2026-11-20T09:15:00+00:00",
        "shared": False,
        "note": "café",
        "responses": [{"instrument": "who5", "version": 1, "answers": {"who5_calm": 3}}],
    },
}


def test_the_hash_ignores_key_order_and_the_change_id_but_nothing_else():
    reordered = dict(reversed(list(CHANGE.items())))
    assert change_hash(reordered) == change_hash(CHANGE)
    assert change_hash({**CHANGE, "change_id": str(uuid.uuid4())}) == change_hash(CHANGE)
    assert change_hash({**CHANGE, "base_rev": 1}) != change_hash(CHANGE)
    edited = {**CHANGE, "data": {**CHANGE["data"], "note": "cafe"}}
    assert change_hash(edited) != change_hash(CHANGE)


def test_an_absent_field_hashes_as_null():
    delete = {"change_id": "x", "id": "y", "op": "delete", "base_rev": 2, "changed_at": "t"}
    assert change_hash(delete) == change_hash({**delete, "data": None})


def test_the_hash_is_sha256_of_the_canonical_json():
    import hashlib

    canonical = b'{"base_rev":null,"changed_at":"t","data":null,"id":"y","op":"delete"}'
    delete = {"id": "y", "op": "delete", "base_rev": None, "changed_at": "t"}
    assert change_hash(delete) == hashlib.sha256(canonical).hexdigest()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_canonical_json_is_the_json_modules_sorted_compact_text(value):
    """Stored hashes were made with json.dumps' text: the canonical form must never drift."""
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected


def test_the_fast_reader_and_the_schema_agree_on_a_plain_change():
    loaded, errors = load_change(CHANGE)
    assert errors == {}
    assert loaded == Change().load(CHANGE)


answers = st.dictionaries(
    st.text(max_size=5),
    st.one_of(st.none(), st.booleans(), st.integers(-3, 12), st.floats(), st.just("na")),
    max_size=3,
)
responses = st.fixed_dictionaries(
    {
        "instrument": st.sampled_from(["who5", "ons4", "", "who5"]),
        "version": st.one_of(st.integers(-1, 3), st.booleans(), st.just(1.0)),
        "answers": st.one_of(answers, st.lists(st.integers(), max_size=1)),
    }
)
datas = st.fixed_dictionaries(
    {
        "recorded_at": st.sampled_from(
            ["2026-11-20T09:15:00+00:00", "2026-11-20T09:15:00", "2026-11-20T10:15:00+01:00", 5]
        ),
        "responses": st.lists(responses, max_size=6),
    },
    optional={
        "shared": st.one_of(st.booleans(), st.just("true")),
        "note": st.one_of(st.none(), st.text(max_size=3), st.just("x" * 2001), st.just(3)),
        "extra": st.just(1),
    },
)
changes = st.fixed_dictionaries(
    {
        "change_id": st.sampled_from([CHANGE["change_id"], "nope", 7]),
        "id": st.sampled_from([CHANGE["id"], "C1D2E3F4-0000-4000-8000-000000000002", ""]),
        "op": st.sampled_from(["put", "delete", "merge"]),
        "changed_at": st.sampled_from(["2026-11-20T09:15:03Z", "yesterday"]),
    },
    optional={
        "base_rev": st.one_of(st.none(), st.integers(-1, 3), st.booleans(), st.just("2")),
        "data": st.one_of(st.none(), datas),
    },
)


@given(changes)
def test_the_fast_reader_never_accepts_what_the_schema_refuses(change):
    loaded, errors = load_change(change)
    try:
        expected, expected_errors = Change().load(change), {}
    except ValidationError as exc:
        expected, expected_errors = None, flatten_errors(exc.messages)
    assert (loaded, errors) == (expected, expected_errors)


def test_nested_errors_flatten_to_dotted_paths():
    nested = {"data": {"responses": {0: {"answers": ["bad"]}}, "_schema": ["whole"]}}
    assert flatten_errors(nested) == {"data.responses.0.answers": ["bad"], "data": ["whole"]}
