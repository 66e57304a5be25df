"""Bad input gets a clear 4xx in one JSON shape; nothing answers with a 500."""

from __future__ import annotations

import pytest


def assert_error_shape(response, status):
    assert response.status_code == status
    body = response.get_json()
    assert set(body) <= {"error", "message", "details"}
    assert isinstance(body["error"], str)
    assert isinstance(body["message"], str)
    return body


def test_malformed_json_is_400(client):
    response = client.post(
        "/api/v1/auth/login", data="{not json", headers={"Content-Type": "application/json"}
    )
    body = assert_error_shape(response, 400)
    assert body["message"] == "The body is not valid JSON."


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": 5, "password": "x"}, "username"),
        ({"username": "a"}, "password"),
        ({"username": "a", "password": "b", "admin": True}, "admin"),
        ([], "_schema"),
    ],
)
def test_wrong_types_missing_and_unknown_fields_are_422(client, payload, field):
    body = assert_error_shape(client.post("/api/v1/auth/login", json=payload), 422)
    assert field in body["details"]


def test_a_body_that_is_not_json_at_all_is_refused(client):
    response = client.post("/api/v1/auth/login", data="username=a&password=b")
    assert response.status_code in (400, 415, 422)
    assert_error_shape(response, response.status_code)


def test_an_oversized_body_is_413(client):
    response = client.post(
        "/api/v1/auth/login",
        data=b'{"username": "' + b"a" * (1024 * 1024 + 1) + b'"}',
        headers={"Content-Type": "application/json"},
    )
    body = assert_error_shape(response, 413)
    assert "1 MiB" in body["message"]


def test_unknown_paths_and_methods_answer_in_json(client):
    assert_error_shape(client.get("/api/v1/nowhere"), 404)
    response = client.delete("/api/v1/auth/login")
    assert_error_shape(response, 405)
    assert "POST" in response.headers["Allow"]


def test_a_bad_uuid_in_a_path_is_404_not_500(client):
    assert_error_shape(client.delete("/api/v1/me/sessions/not-a-uuid"), 404)
