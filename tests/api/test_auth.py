"""Joining with an invite, signing in and out, tokens and cookies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from server.accounts.models import DeviceSession, Invite, PeerLink, Role, User
from server.clock import utcnow
from tests.support.api import sign_in
from tests.support.factories import PASSWORD, make_user


@pytest.fixture
def peer_worker(session):
    return make_user(session, Role.PEER_WORKER, username="pat-peer")


@pytest.fixture
def invite_code(client, peer_worker):
    response = sign_in(client, "pat-peer").post("/api/v1/invites", json={})
    assert response.status_code == 201
    return response.get_json()["code"]


def register(client, code, username="sam", password=PASSWORD):
    return client.post(
        "/api/v1/auth/register",
        json={"invite_code": code, "username": username, "password": password},
    )


def test_register_links_the_new_person_to_the_inviting_peer_worker(
    client, session, invite_code, peer_worker
):
    response = register(client, invite_code)

    assert response.status_code == 201
    body = response.get_json()
    assert body["user"]["role"] == "service_user"
    assert body["user"]["peer_worker"] == {"id": str(peer_worker.id), "username": "pat-peer"}
    assert body["token"].startswith("als_")
    user = session.scalar(sa.select(User).where(User.username_canonical == "sam"))
    link = session.scalar(sa.select(PeerLink).where(PeerLink.service_user_id == user.id))
    assert link.peer_worker_id == peer_worker.id
    assert link.ended_at is None
    assert user.service_id == peer_worker.service_id


def test_register_accepts_a_code_typed_sloppily(client, invite_code):
    sloppy = invite_code.lower().replace("-", " ").replace("0", "o")
    assert register(client, sloppy).status_code == 201


def test_an_invite_code_works_once(client, invite_code):
    assert register(client, invite_code, "first-person").status_code == 201
    again = register(client, invite_code, "second-person")
    assert again.status_code == 422
    assert "already been used" in again.get_json()["message"]


def test_an_expired_invite_is_refused(client, session, invite_code):
    session.execute(sa.update(Invite).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = register(client, invite_code)
    assert response.status_code == 422
    assert "expired" in response.get_json()["message"]


def test_an_unknown_invite_is_refused(client):
    response = register(client, "ZZZZZ-ZZZZZ")
    assert response.status_code == 422
    assert response.get_json()["details"] == {
        "invite_code": ["That invite code was not recognised. Check it and try again."]
    }


def test_invites_expire_after_fourteen_days_by_default(client, peer_worker):
    response = sign_in(client, "pat-peer").post("/api/v1/invites", json={})
    body = response.get_json()
    from datetime import datetime

    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(days=13, hours=23) < expires - utcnow() <= timedelta(days=14)


def test_usernames_are_unique_whatever_their_case(client, session, peer_worker):
    make_user(session, Role.RESEARCHER, username="Robin")
    code = sign_in(client, "pat-peer").post("/api/v1/invites", json={}).get_json()["code"]
    response = register(client, code, username="ROBIN")
    assert response.status_code == 409
    assert response.get_json()["details"] == {"username": ["already taken"]}
    # The failed registration did not use up the invite.
    assert register(client, code, username="robin-2").status_code == 201


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("ab", PASSWORD, "username"),
        ("has space", PASSWORD, "username"),
        ("valid-name", "short", "password"),
        ("valid-name", "valid-name", "password"),
    ],
)
def test_register_explains_what_is_wrong(client, invite_code, username, password, field):
    response = register(client, invite_code, username, password)
    assert response.status_code == 422
    assert field in response.get_json()["details"]


def test_login_returns_a_token_and_an_httponly_strict_cookie(client, session):
    make_user(session, Role.RESEARCHER, username="rae")
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "RAE", "password": PASSWORD, "device_name": "office desktop"},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer"
    assert body["user"]["username"] == "rae"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("alongside_session=" + body["token"])
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    stored = session.scalar(sa.select(DeviceSession))
    assert stored.token_hash != body["token"]
    assert len(stored.token_hash) == 64


def test_wrong_password_and_unknown_user_get_the_same_answer(client, session):
    make_user(session, Role.RESEARCHER, username="rae")
    wrong = client.post(
        "/api/v1/auth/login", json={"username": "rae", "password": "nope-nope-nope"}
    )
    unknown = client.post(
        "/api/v1/auth/login", json={"username": "nobody", "password": "nope-nope-nope"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_logout_revokes_the_token_and_clears_the_cookie(client, session):
    make_user(session, Role.ADMIN, username="ada")
    signed_in = sign_in(client, "ada")
    assert signed_in.get("/api/v1/me").status_code == 200

    response = signed_in.post("/api/v1/auth/logout")

    assert response.status_code == 204
    assert "alongside_session=;" in response.headers["Set-Cookie"]
    assert signed_in.get("/api/v1/me").status_code == 401


def test_an_expired_token_is_refused(client, session):
    make_user(session, Role.ADMIN, username="ada")
    signed_in = sign_in(client, "ada")
    session.execute(sa.update(DeviceSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    response = signed_in.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["message"] == "Your session has ended. Sign in again."


def test_a_session_in_use_is_extended_at_most_hourly(client, session, app):
    make_user(session, Role.ADMIN, username="ada")
    signed_in = sign_in(client, "ada")
    ttl = timedelta(days=app.config["TOKEN_TTL_DAYS"])
    two_hours_ago = utcnow() - timedelta(hours=2)
    session.execute(
        sa.update(DeviceSession).values(last_used_at=two_hours_ago, expires_at=two_hours_ago + ttl)
    )

    assert signed_in.get("/api/v1/me").status_code == 200

    used, expires = session.execute(
        sa.select(DeviceSession.last_used_at, DeviceSession.expires_at)
    ).one()
    assert utcnow() - used < timedelta(minutes=1)
    assert expires - used == ttl

    # Within the hour nothing is written again: a read does not cost a write.
    session.execute(sa.update(DeviceSession).values(last_used_at=used - timedelta(minutes=30)))
    assert signed_in.get("/api/v1/me").status_code == 200
    assert session.scalar(sa.select(DeviceSession.last_used_at)) == used - timedelta(minutes=30)


def test_a_device_can_sign_out_another_of_its_devices(client, session):
    make_user(session, Role.ADMIN, username="ada")
    phone, laptop = sign_in(client, "ada"), sign_in(client, "ada")
    listed = laptop.get("/api/v1/me/sessions").get_json()["sessions"]
    assert len(listed) == 2
    phone_id = next(s["id"] for s in listed if not s["current"])
    assert laptop.delete(f"/api/v1/me/sessions/{phone_id}").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200


def test_nobody_can_sign_out_someone_elses_device(client, session):
    make_user(session, Role.ADMIN, username="ada")
    make_user(session, Role.ADMIN, username="bob")
    ada, bo = sign_in(client, "ada"), sign_in(client, "bob")
    ada_session = ada.get("/api/v1/me/sessions").get_json()["sessions"][0]["id"]
    assert bo.delete(f"/api/v1/me/sessions/{ada_session}").status_code == 404
    assert ada.get("/api/v1/me").status_code == 200
