"""Only peer workers invite; they see their invites' status but never the codes again."""

from __future__ import annotations

import re

import pytest

from server.accounts.models import Role
from tests.support.api import sign_in
from tests.support.factories import make_service_user, make_user


@pytest.mark.parametrize("role", [Role.SERVICE_USER, Role.RESEARCHER, Role.ADMIN])
def test_only_peer_workers_can_invite(client, session, role):
    if role is Role.SERVICE_USER:
        make_service_user(session, username="someone")
    else:
        make_user(session, role, username="someone")
    response = sign_in(client, "someone").post("/api/v1/invites", json={})
    assert response.status_code == 403


def test_an_invite_code_is_easy_to_read_out(client, session):
    make_user(session, Role.PEER_WORKER, username="pat-peer")
    body = (
        sign_in(client, "pat-peer").post("/api/v1/invites", json={"expires_in_days": 3}).get_json()
    )
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", body["code"])


def test_peer_workers_see_the_status_of_their_invites(client, session):
    make_user(session, Role.PEER_WORKER, username="pat-peer")
    pat = sign_in(client, "pat-peer")
    used = pat.post("/api/v1/invites", json={}).get_json()
    pending = pat.post("/api/v1/invites", json={}).get_json()
    client.post(
        "/api/v1/auth/register",
        json={"invite_code": used["code"], "username": "sam", "password": "a long password"},
    )

    listed = pat.get("/api/v1/invites").get_json()["invites"]

    statuses = {item["id"]: item["status"] for item in listed}
    assert statuses == {used["id"]: "used", pending["id"]: "pending"}
    assert all("code" not in item for item in listed)


@pytest.mark.parametrize("days", [0, 91, "7", 1.5])
def test_invite_lifetime_is_checked(client, session, days):
    make_user(session, Role.PEER_WORKER, username="pat-peer")
    response = sign_in(client, "pat-peer").post("/api/v1/invites", json={"expires_in_days": days})
    assert response.status_code == 422
