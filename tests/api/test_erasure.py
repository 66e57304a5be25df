"""``DELETE /api/v1/me``: a service user erases their own account with their password."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from server.accounts.models import Role, User
from server.keys.models import UserKey
from tests.support.api import sign_in
from tests.support.factories import PASSWORD, make_service_user, make_user


@pytest.fixture
def sam(session):
    person = make_service_user(session, username="sam-self")
    person.display_name = "Sam"
    session.flush()
    return person


def test_the_right_password_erases_everything_and_ends_the_session(client, session, sam):
    sam_id = sam.id
    signed_in = sign_in(client, "sam-self")

    response = signed_in.delete("/api/v1/me", json={"password": PASSWORD})

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["data_key_destroyed"] is True
    assert body["rows"]["users"] == 1
    assert body["rows"]["sessions"] == 1
    assert "sam" not in response.get_data(as_text=True).lower()
    assert session.scalar(sa.select(sa.func.count()).where(User.id == sam_id)) == 0
    assert session.scalar(sa.select(sa.func.count()).where(UserKey.user_id == sam_id)) == 0
    assert signed_in.get("/api/v1/me").status_code == 401
    assert client.post(
        "/api/v1/auth/login", json={"username": "sam-self", "password": PASSWORD}
    ).status_code in (401, 403)


def test_a_wrong_password_is_refused_and_nothing_is_erased(client, session, sam):
    signed_in = sign_in(client, "sam-self")
    response = signed_in.delete("/api/v1/me", json={"password": "not the password"})
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"
    assert "not the password" not in response.get_data(as_text=True)
    assert signed_in.get("/api/v1/me").status_code == 200


def test_repeated_wrong_passwords_are_rate_limited(client, app, sam):
    app.config["LOGIN_MAX_FAILURES_PER_USERNAME"] = 2
    try:
        signed_in = sign_in(client, "sam-self")
        codes = [
            signed_in.delete("/api/v1/me", json={"password": "guess"}).status_code for _ in range(3)
        ]
        assert codes == [403, 403, 429]
        # Even the right password waits until the window passes.
        assert signed_in.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 429
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_USERNAME"] = 10


def test_staff_cannot_erase_themselves_here(client, session):
    make_user(session, Role.PEER_WORKER, username="pat-self")
    signed_in = sign_in(client, "pat-self")
    assert signed_in.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 403
    assert signed_in.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("body", [None, {}, {"password": ""}, {"password": 7}])
def test_a_missing_or_malformed_password_is_a_clear_client_error(client, sam, body):
    signed_in = sign_in(client, "sam-self")
    response = signed_in.delete("/api/v1/me", json=body)
    assert response.status_code in (400, 422)
    assert response.get_json()["message"]


def test_signed_out_requests_are_refused(client):
    assert client.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 401
