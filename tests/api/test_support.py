"""Help, always one tap away: contacts for anyone, signed in or not (DESIGN.md §11)."""

from __future__ import annotations

import pytest

from server.accounts.models import Role
from server.concerns.thresholds import DEFAULT_URGENT
from tests.support.api import sign_in
from tests.support.factories import make_service, make_service_user, make_user

URL = "/api/v1/support"
DEFAULT_NAMES = ["Samaritans", "NHS 111", "Shout", "Emergency"]
DUTY_LINE = {
    "name": "Riverside duty line",
    "purpose": "Talk to the team about how you are",
    "phone": "01632 960 123",
    "hours": "9am to 5pm, Monday to Friday",
}
CRISIS_TEXT = {"name": "Riverside text line", "text": "Text RIVER to 60000"}


def configure(monkeypatch, app, name, **settings):
    monkeypatch.setitem(app.config, "SERVICES", {name: settings})


def names(body):
    return [contact["name"] for contact in body["contacts"]]


def test_anyone_not_signed_in_gets_the_national_defaults(client):
    response = client.get(URL)
    assert response.status_code == 200
    body = response.get_json()
    assert body["service"] is None
    assert names(body) == DEFAULT_NAMES
    samaritans = body["contacts"][0]
    assert samaritans == {
        "name": "Samaritans",
        "purpose": "Talk to someone about anything that is upsetting you",
        "phone": "116 123",
        "text": None,
        "web": "https://www.samaritans.org",
        "hours": "24 hours, every day",
    }
    shout = body["contacts"][2]
    assert shout["text"] == "Text SHOUT to 85258"
    assert shout["phone"] is None
    assert body["contacts"][3]["phone"] == "999"
    assert body["urgent"] == DEFAULT_URGENT
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_session_that_ended_still_reaches_help(client, person):
    assert person.post("/api/v1/auth/logout").status_code in (200, 204)
    for headers in (person.headers, {"Authorization": "Bearer not-a-token"}):
        response = client.get(URL, headers=headers)
        assert response.status_code == 200
        assert response.get_json()["service"] is None
        assert names(response.get_json()) == DEFAULT_NAMES
    client.set_cookie("alongside_session", "stale")
    assert client.get(URL).status_code == 200


def test_a_service_user_gets_their_services_help(app, client, session, monkeypatch):
    service = make_service(session)
    peer = make_user(session, Role.PEER_WORKER, service_id=service.id)
    user = make_service_user(session, peer_worker=peer)
    session.commit()
    configure(
        monkeypatch,
        app,
        service.name,
        help={"contacts": [DUTY_LINE, CRISIS_TEXT]},
        urgent={"who5/wellbeing": {"at_most": 40}, "ons-loneliness/loneliness": {"at_least": 3}},
    )
    body = sign_in(client, user.username).get(URL).get_json()
    assert body["service"] == service.name
    assert body["contacts"][:2] == [
        {**DUTY_LINE, "text": None, "web": None},
        {**CRISIS_TEXT, "purpose": None, "phone": None, "web": None, "hours": None},
    ]
    assert names(body)[2:] == ["Emergency"]  # always kept: nobody meets a list without 999
    assert body["urgent"] == {
        "who5/wellbeing": {"at_most": 40},
        "ons-loneliness/loneliness": {"at_least": 3},
    }


def test_a_peer_worker_gets_their_services_contacts(app, client, session, monkeypatch):
    service = make_service(session)
    peer = make_user(session, Role.PEER_WORKER, service_id=service.id)
    session.commit()
    configure(monkeypatch, app, service.name, help={"contacts": [DUTY_LINE]})
    body = sign_in(client, peer.username).get(URL).get_json()
    assert body["service"] == service.name
    assert names(body) == ["Riverside duty line", "Emergency"]
    assert body["urgent"] == DEFAULT_URGENT  # the service sets no thresholds of its own


def test_a_service_that_sets_nothing_gets_the_defaults(app, client, person, monkeypatch):
    configure(monkeypatch, app, "Some other service", help={"contacts": [DUTY_LINE]})
    body = person.get(URL).get_json()
    assert body["service"] is not None
    assert names(body) == DEFAULT_NAMES
    assert body["urgent"] == DEFAULT_URGENT


@pytest.mark.parametrize("role", [Role.RESEARCHER, Role.ADMIN])
def test_staff_without_a_service_get_the_defaults(client, session, role):
    staff = make_user(session, role)
    session.commit()
    body = sign_in(client, staff.username).get(URL).get_json()
    assert body["service"] is None
    assert names(body) == DEFAULT_NAMES


def test_the_answer_holds_no_personal_data(client, person):
    text = person.get(URL).get_data(as_text=True)
    assert person.user.username not in text
    assert str(person.user_id) not in text


def test_an_unchanged_answer_revalidates_with_its_etag(app, client, person, monkeypatch):
    first = person.get(URL)
    tag = first.headers["ETag"]
    again = person.get(URL, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["Cache-Control"] == "no-cache"
    service_name = first.get_json()["service"]
    configure(monkeypatch, app, service_name, help={"contacts": [DUTY_LINE]})
    changed = person.get(URL, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert names(changed.get_json()) == ["Riverside duty line", "Emergency"]
    assert changed.headers["ETag"] != tag


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_other_methods_are_refused_plainly(client, method):
    response = client.open(URL, method=method, json={})
    assert response.status_code == 405
    assert response.get_json()["error"]


def test_the_route_is_in_the_openapi_document(client):
    spec = client.get("/api/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/support"]["get"]["responses"]["200"]
    schema_ref = answer["content"]["application/json"]["schema"]["$ref"]
    name = schema_ref.rsplit("/", 1)[-1]
    schema = spec["components"]["schemas"][name]
    assert set(schema["properties"]) == {"service", "contacts", "urgent"}
    contact = spec["components"]["schemas"]["Contact"]
    assert set(contact["properties"]) == {"name", "purpose", "phone", "text", "web", "hours"}
