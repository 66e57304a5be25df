"""A shared check-in's answers with the wording of each question, for the peer worker."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.instruments.answers import NOT_APPLICABLE
from server.instruments.model import Item
from server.instruments.registry import InstrumentRegistry, UnknownInstrumentError

# Questionnaire names as a peer worker reads them: no scale acronyms.
TITLES = {
    "alongside-checkin": "Check-in",
    "who5": "Wellbeing",
    "ons4": "Life satisfaction and feelings",
    "ons-loneliness": "Loneliness",
}


def answered(
    content: Mapping[str, Any] | None, registry: InstrumentRegistry
) -> list[dict[str, Any]]:
    """Each questionnaire in the check-in, with its answered items in question order."""
    found = []
    for response in (content or {}).get("responses") or []:
        try:
            instrument = registry.get(response["instrument"], int(response["version"]))
        except (UnknownInstrumentError, KeyError, TypeError, ValueError):
            continue
        answers: Mapping[str, Any] = response.get("answers") or {}
        items = [
            _item(item, answers[item.id])
            for item in instrument.items
            if answers.get(item.id) is not None
        ]
        found.append(
            {
                "instrument": instrument.id,
                "title": TITLES.get(instrument.id, instrument.title),
                "items": items,
            }
        )
    return found


def _item(item: Item, value: Any) -> dict[str, Any]:
    if value == NOT_APPLICABLE:
        words = "Not in touch since last time" if item.allow_not_applicable else "Not applicable"
        return {"item": item.id, "text": item.text, "value": None, "answer": words}
    return {"item": item.id, "text": item.text, "value": value, "answer": _words(item, value)}


def _words(item: Item, value: Any) -> str:
    for option in item.options:
        if option.value == value:
            return option.label
    if item.response_type == "yes_no":
        return "Yes" if value else "No"
    if item.response_type == "count":
        return f"{value} of {item.maximum}" + (f" {item.unit}" if item.unit else "")
    anchor = next((a.label for a in item.anchors if a.value == value), None)
    return f"{value} out of {item.maximum}" + (f" ({anchor})" if anchor else "")
