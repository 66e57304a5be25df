"""The signed-in person, research consent, and the web app's cookie with CSRF protection."""

from __future__ import annotations

import pytest

from server.accounts.models import Role
from tests.support.api import sign_in
from tests.support.factories import PASSWORD, make_service_user, make_user


@pytest.fixture
def person(session):
    peer = make_user(session, Role.PEER_WORKER, username="pat-peer")
    return make_service_user(session, peer_worker=peer, username="sam")


def test_me_describes_the_person_and_their_peer_worker(client, person):
    body = sign_in(client, "sam").get("/api/v1/me").get_json()
    assert body["id"] == str(person.id)
    assert body["role"] == "service_user"
    assert body["peer_worker"]["username"] == "pat-peer"
    assert body["service"]["id"] == str(person.service_id)
    assert body["consents"]["research"] == {"granted": False, "version": "2026-11", "history": []}
    assert body["csrf_token"] is None  # bearer clients do not need one


def test_research_consent_is_versioned_and_withdrawal_keeps_history(client, person):
    sam = sign_in(client, "sam")

    granted = sam.put("/api/v1/me/consents/research", json={"granted": True}).get_json()
    withdrawn = sam.put("/api/v1/me/consents/research", json={"granted": False}).get_json()
    regranted = sam.put("/api/v1/me/consents/research", json={"granted": True}).get_json()

    assert granted["granted"] is True
    assert granted["history"][0]["withdrawn_at"] is None
    assert withdrawn["granted"] is False
    assert withdrawn["history"][0]["withdrawn_at"] is not None
    assert regranted["granted"] is True
    assert [h["withdrawn_at"] is None for h in regranted["history"]] == [False, True]
    assert all(h["version"] == "2026-11" for h in regranted["history"])


def test_granting_twice_records_one_grant(client, person):
    sam = sign_in(client, "sam")
    sam.put("/api/v1/me/consents/research", json={"granted": True})
    body = sam.put("/api/v1/me/consents/research", json={"granted": True}).get_json()
    assert len(body["history"]) == 1


def test_a_new_consent_version_needs_consent_again(client, make_app, session, person):
    sign_in(client, "sam").put("/api/v1/me/consents/research", json={"granted": True})
    newer = make_app(RESEARCH_CONSENT_VERSION="2027-01").test_client()
    body = sign_in(newer, "sam").get("/api/v1/me").get_json()
    assert body["consents"]["research"]["granted"] is False
    assert body["consents"]["research"]["history"][0]["version"] == "2026-11"


@pytest.mark.parametrize("value", ["yes", 1, "true", None])
def test_consent_must_be_a_real_boolean(client, person, value):
    response = sign_in(client, "sam").put("/api/v1/me/consents/research", json={"granted": value})
    assert response.status_code == 422
    assert "granted" in response.get_json()["details"]


def test_staff_do_not_give_research_consent(client, session):
    make_user(session, Role.RESEARCHER, username="rae")
    response = sign_in(client, "rae").put("/api/v1/me/consents/research", json={"granted": True})
    assert response.status_code == 403


def test_cookie_sessions_need_the_csrf_token_on_unsafe_requests(client, person):
    login = client.post("/api/v1/auth/login", json={"username": "sam", "password": PASSWORD})
    csrf = login.get_json()["csrf_token"]
    # The test client now carries the session cookie and no Authorization header.
    me = client.get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json()["csrf_token"] == csrf

    without = client.put("/api/v1/me/consents/research", json={"granted": True})
    wrong = client.put(
        "/api/v1/me/consents/research", json={"granted": True}, headers={"X-CSRF-Token": "x" * 64}
    )
    right = client.put(
        "/api/v1/me/consents/research", json={"granted": True}, headers={"X-CSRF-Token": csrf}
    )

    assert without.status_code == 403
    assert "X-CSRF-Token" in without.get_json()["message"]
    assert wrong.status_code == 403
    assert right.status_code == 200


def test_requests_from_another_origin_are_refused(client, person):
    sam = sign_in(client, "sam")
    response = sam.put(
        "/api/v1/me/consents/research",
        json={"granted": True},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    same_origin = sam.put(
        "/api/v1/me/consents/research",
        json={"granted": True},
        headers={"Origin": "http://localhost"},
    )
    assert same_origin.status_code == 200


def test_without_credentials_me_is_401(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json() == {"error": "unauthorized", "message": "Sign in first."}
