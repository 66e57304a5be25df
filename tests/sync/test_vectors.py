"""Every protocol case in sync/vectors/*.json, replayed against the real app on both databases."""

from __future__ import annotations

import json

import pytest

from tests.sync.conftest import device_token
from tests.sync.vectors import Mismatch, Replay, load_vector, vector_files

FILES = vector_files()


def test_there_are_vectors_for_every_case_the_protocol_names():
    assert len(FILES) >= 14
    for path in FILES:
        vector = load_vector(path)
        assert set(vector) == {"name", "description", "steps"}, path.name
        for step in vector["steps"]:
            assert set(step) == {"request", "expect"}, path.name
            assert "status" in step["expect"], path.name


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_vector(path, client, session, service_user):
    vector = load_vector(path)
    token = device_token(session, service_user)
    replay = Replay()
    for number, step in enumerate(vector["steps"], start=1):
        request = replay.fill(step["request"])
        headers = {"Authorization": f"Bearer {token}"}
        if "raw_body" in request:
            response = client.open(
                request["path"],
                method=request["method"],
                data=request["raw_body"],
                headers={**headers, "Content-Type": "application/json"},
            )
        else:
            response = client.open(
                request["path"], method=request["method"], json=request.get("body"), headers=headers
            )
        body = response.get_json(silent=True)
        context = f"{path.name} step {number} ({request['method']} {request['path']})"
        shown = json.dumps(body)[:2000]
        assert response.status_code == step["expect"]["status"], f"{context}: {shown}"
        if "body" in step["expect"]:
            try:
                replay.match(step["expect"]["body"], body)
            except Mismatch as mismatch:
                pytest.fail(f"{context}: {mismatch}\nanswer: {shown}", pytrace=False)


def test_the_matcher_fails_on_what_the_protocol_says_must_match():
    replay = Replay()
    replay.match({"a": "$save:x", "b": [1, "$int"]}, {"a": "v", "b": [1, 2], "extra": True})
    replay.match({"a": "$x"}, {"a": "v"})
    for expected, actual in [
        ({"a": "$x"}, {"a": "w"}),
        ({"a": "$any"}, {}),
        ({"a": [1]}, {"a": [1, 2]}),
        ({"a": "$int"}, {"a": True}),
        ({"a": 1}, {"a": True}),
        ({"a": "$uuid"}, {"a": "nope"}),
        ({"a": "$datetime"}, {"a": "2026-11-20T09:15:00"}),
    ]:
        with pytest.raises(Mismatch):
            replay.match(expected, actual)
    assert replay.fill({"p": "/pull?cursor=$x", "d": "$device"})["p"] == "/pull?cursor=v"
