"""Login attempts are limited per username and per address, across worker processes."""

from __future__ import annotations

from server.accounts.models import Role
from tests.support.factories import PASSWORD, make_user


def attempt(client, username, password="wrong password!", address="198.51.100.7"):
    return client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_too_many_failures_for_one_username_are_refused_with_429(make_app, session):
    client = make_app(LOGIN_MAX_FAILURES_PER_USERNAME=3).test_client()
    make_user(session, Role.ADMIN, username="ada")
    statuses = [attempt(client, "ada", address=f"198.51.100.{i}").status_code for i in range(4)]
    assert statuses == [401, 401, 401, 429]
    # Even the right password waits now, from any address.
    blocked = attempt(client, "ADA", PASSWORD, address="203.0.113.9")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert blocked.get_json()["details"]["retry_after_seconds"] > 0


def test_too_many_attempts_from_one_address_are_refused_with_429(make_app, session):
    client = make_app(LOGIN_MAX_ATTEMPTS_PER_ADDRESS=3).test_client()
    for name in ("ada", "bob", "cy1"):
        make_user(session, Role.ADMIN, username=name)
    statuses = [attempt(client, name).status_code for name in ("ada", "bob", "cy1", "ada")]
    assert statuses == [401, 401, 401, 429]
    assert attempt(client, "bob", PASSWORD, address="203.0.113.9").status_code == 200


def test_a_successful_login_clears_that_usernames_failures(make_app, session):
    client = make_app(LOGIN_MAX_FAILURES_PER_USERNAME=3).test_client()
    make_user(session, Role.ADMIN, username="ada")
    attempt(client, "ada")
    attempt(client, "ada")
    assert attempt(client, "ada", PASSWORD).status_code == 200
    assert [attempt(client, "ada").status_code for _ in range(3)] == [401, 401, 401]
