"""Help contacts come from each service's configuration, checked when the app starts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from server import create_app
from server.concerns.thresholds import service_thresholds
from server.support.contacts import DEFAULT_CONTACTS, HelpContact, service_contacts
from server.support.service import urgent_bounds

SERVICE = "Riverside Peer Support"
GOOD = {"name": "Duty line", "phone": "01632 960 123"}


def build(tmp_path: Path, services=None, environ=None):
    environ = {"ALONGSIDE_INSTANCE_PATH": str(tmp_path), **(environ or {})}
    overrides = None if services is None else {"SERVICES": services}
    return create_app(overrides, environ=environ)


def test_an_instance_file_sets_a_services_contacts(tmp_path):
    (tmp_path / "alongside.toml").write_text(
        f'[[services."{SERVICE}".help.contacts]]\n'
        'name = "Duty line"\n'
        'purpose = "Talk to the team"\n'
        'phone = "01632 960 123"\n'
        'hours = "9am to 5pm"\n'
        f'[[services."{SERVICE}".help.contacts]]\n'
        'name = "Our website"\n'
        'web = "https://riverside.example"\n'
    )
    services = build(tmp_path).config["SERVICES"]
    assert service_contacts(services, SERVICE) == (
        HelpContact("Duty line", "Talk to the team", "01632 960 123", None, None, "9am to 5pm"),
        HelpContact("Our website", web="https://riverside.example"),
        DEFAULT_CONTACTS[-1],  # the emergency line, always kept
    )
    assert service_contacts(services, "Another service") == DEFAULT_CONTACTS
    assert service_contacts(services, None) == DEFAULT_CONTACTS


def test_the_environment_sets_contacts_as_json(tmp_path):
    raw = json.dumps({SERVICE: {"help": {"contacts": [GOOD]}}})
    services = build(tmp_path, environ={"ALONGSIDE_SERVICES": raw}).config["SERVICES"]
    assert [c.name for c in service_contacts(services, SERVICE)] == ["Duty line", "Emergency"]


def test_a_service_with_only_thresholds_keeps_the_default_contacts(tmp_path):
    services = {SERVICE: {"urgent": {"who5/wellbeing": {"at_most": 20}}}}
    build(tmp_path, services)
    assert service_contacts(services, SERVICE) == DEFAULT_CONTACTS
    assert urgent_bounds(service_thresholds(services, SERVICE)) == {
        "who5/wellbeing": {"at_most": 20}
    }


def test_the_defaults_can_always_be_reached_and_link_safely():
    for contact in DEFAULT_CONTACTS:
        assert contact.phone or contact.text or contact.web
        assert contact.web is None or contact.web.startswith("https://")
    assert [c.phone for c in DEFAULT_CONTACTS if c.name == "Emergency"] == ["999"]


@pytest.mark.parametrize(
    ("help_settings", "names"),
    [
        ("call us", "help must be a table"),
        ({"contact": [GOOD]}, "unknown settings ['contact']"),
        ({"contacts": []}, "help.contacts must list at least one contact"),
        ({"contacts": GOOD}, "help.contacts must list at least one contact"),
        ({"contacts": ["Samaritans"]}, "contacts[0] must be a table"),
        ({"contacts": [GOOD, {"phone": "111"}]}, "contacts[1].name is required"),
        ({"contacts": [{"name": "  ", "phone": "111"}]}, "contacts[0].name is required"),
        ({"contacts": [{"name": "Friends"}]}, "at least one of phone, text or web"),
        ({"contacts": [{**GOOD, "phon": "111"}]}, "unknown fields ['phon']"),
        ({"contacts": [{**GOOD, "phone": 116123}]}, "contacts[0].phone must be text"),
        ({"contacts": [{**GOOD, "hours": "x" * 201}]}, "hours must be at most 200 characters"),
        ({"contacts": [{**GOOD, "web": "http://example.org"}]}, "web must be an https://"),
        ({"contacts": [{**GOOD, "web": "javascript:alert(1)"}]}, "web must be an https://"),
        ({"contacts": [{**GOOD, "web": "https://a b"}]}, "web must be an https://"),
    ],
)
def test_malformed_help_stops_the_app_naming_service_and_field(tmp_path, help_settings, names):
    with pytest.raises(RuntimeError, match=rf"services\.{SERVICE}\.help") as refused:
        build(tmp_path, {SERVICE: {"help": help_settings}})
    assert names in str(refused.value)


def test_a_contact_at_the_length_limit_is_accepted(tmp_path):
    contact = {**GOOD, "purpose": "x" * 200, "web": "https://example.org/" + "a" * 180}
    build(tmp_path, {SERVICE: {"help": {"contacts": [contact]}}})


def test_a_services_own_list_always_keeps_the_emergency_line():
    own = {"S": {"help": {"contacts": [{"name": "Duty line", "phone": "01632 960 123"}]}}}
    found = service_contacts(own, "S")
    assert [c.name for c in found] == ["Duty line", "Emergency"]
    assert found[-1].phone == "999"
    with_999 = {"S": {"help": {"contacts": [{"name": "Call 999", "phone": "999"}]}}}
    assert [c.name for c in service_contacts(with_999, "S")] == ["Call 999"]
