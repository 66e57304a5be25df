"""Help contacts from configuration, per service, with the UK national defaults (DESIGN.md §11).

A service lists its own in ``alongside.toml`` (or as JSON in ``ALONGSIDE_SERVICES``):

    [[services."Riverside Peer Support".help.contacts]]
    name = "Riverside duty line"
    purpose = "Talk to the team about how you are"
    phone = "01632 960 123"
    hours = "9am to 5pm, Monday to Friday"

A service that sets none uses DEFAULT_CONTACTS. This module reads configuration only, so
``server/config.py`` can validate it at start without the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FIELDS = ("name", "purpose", "phone", "text", "web", "hours")
REACH = ("phone", "text", "web")  # a contact needs at least one way to reach it
MAX_LENGTH = 200


@dataclass(frozen=True)
class HelpContact:
    """Someone to turn to: who, what for, how to reach them and when."""

    name: str
    purpose: str | None = None
    phone: str | None = None
    text: str | None = None
    web: str | None = None
    hours: str | None = None


Contacts = tuple[HelpContact, ...]

# Worded to the NHS and GOV.UK style: short, kind, and saying what to do.
DEFAULT_CONTACTS: Contacts = (
    HelpContact(
        name="Samaritans",
        purpose="Talk to someone about anything that is upsetting you",
        phone="116 123",
        web="https://www.samaritans.org",
        hours="24 hours, every day",
    ),
    HelpContact(
        name="NHS 111",
        purpose="Urgent help for your mental health (England)",
        phone="111, then choose option 2",
        web="https://111.nhs.uk",
        hours="24 hours",
    ),
    HelpContact(
        name="Shout",
        purpose="Text someone if you would rather not talk",
        text="Text SHOUT to 85258",
        web="https://giveusashout.org",
        hours="24 hours",
    ),
    HelpContact(
        name="Emergency",
        purpose="If your life or someone else's is at risk now, call 999 or go to A&E",
        phone="999",
    ),
)


EMERGENCY = DEFAULT_CONTACTS[-1]


def service_contacts(services: Mapping[str, Any], service_name: str | None) -> Contacts:
    """The service's help contacts, or the national defaults where it sets none.

    A service's own list always ends with the emergency line unless it already gives 999:
    nobody in danger should meet a list without it because of a configuration choice.
    """
    settings = services.get(service_name or "") or {}
    raw = (settings.get("help") or {}).get("contacts")
    if raw is None:
        return DEFAULT_CONTACTS
    found = parse_contacts(raw, f"services.{service_name}.help.contacts")
    if any("999" in (contact.phone or "") for contact in found):
        return found
    return (*found, EMERGENCY)


def parse_contacts(raw: Any, where: str) -> Contacts:
    """Contacts from configuration; ValueError naming ``where`` and the field if malformed."""
    if not isinstance(raw, list) or not raw:
        raise ValueError(
            f"{where} must list at least one contact (leave it out to use the national defaults)"
        )
    return tuple(_parse_contact(entry, f"{where}[{index}]") for index, entry in enumerate(raw))


def validate_help(services: Any) -> None:
    """Refuse to start with malformed help contacts (a clear message, not a 500 later)."""
    if not isinstance(services, Mapping):
        raise ValueError("SERVICES must be a table of services")
    for name, settings in services.items():
        if not isinstance(settings, Mapping) or settings.get("help") is None:
            continue  # validate_services names a service that is not a table
        where = f"services.{name}.help"
        found = settings["help"]
        if not isinstance(found, Mapping):
            raise ValueError(f"{where} must be a table with contacts = [...]")
        unknown = sorted(str(key) for key in found if key != "contacts")
        if unknown:
            raise ValueError(f"{where}: unknown settings {unknown}; it takes contacts")
        if found.get("contacts") is not None:
            parse_contacts(found["contacts"], f"{where}.contacts")


def _parse_contact(entry: Any, where: str) -> HelpContact:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where} must be a table of {', '.join(FIELDS)}")
    unknown = sorted(str(key) for key in entry if key not in FIELDS)
    if unknown:
        raise ValueError(f"{where}: unknown fields {unknown}; a contact takes {', '.join(FIELDS)}")
    values = {field: _text(entry.get(field), f"{where}.{field}") for field in FIELDS}
    name = values.pop("name")
    if name is None:
        raise ValueError(f"{where}.name is required")
    if not any(values[field] for field in REACH):
        raise ValueError(f"{where}: give at least one of phone, text or web")
    web = values["web"]
    if web is not None and (not web.startswith("https://") or any(c.isspace() for c in web)):
        raise ValueError(f"{where}.web must be an https:// address")
    return HelpContact(name, **values)


def _text(value: Any, where: str) -> str | None:
    """A trimmed string of at most MAX_LENGTH characters, or None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{where} must be text")
    value = value.strip()
    if len(value) > MAX_LENGTH:
        raise ValueError(f"{where} must be at most {MAX_LENGTH} characters")
    return value or None
