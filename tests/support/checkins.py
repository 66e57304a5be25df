"""Builders for sync push requests, shaped exactly as sync/PROTOCOL.md writes them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

DEVICE = "6f1c0c39-3c4e-4a57-9d3e-3f1d6c7b2a10"
DEVICE2 = "0a9e2b55-8f3c-4a0e-9a51-5b2d3c4e6f70"
RECORDED = datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"

CHECKIN_ANSWERS: dict[str, Any] = {
    "trust_peer_worker": 7,
    "trust_understood": "na",
    "hope_weeks_ahead": 6,
    "hope_self_care": 8,
    "active_days": 3,
    "hope_have_a_say": None,
}
WHO5_ANSWERS = {
    "who5_cheerful": 3,
    "who5_calm": 3,
    "who5_active": 2,
    "who5_rested": 4,
    "who5_interest": 3,
}


def new_id() -> str:
    return str(uuid.uuid4())


def checkin_data(
    *,
    recorded_at: datetime = RECORDED,
    shared: bool = False,
    note: str | None = None,
    responses: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A check-in's ``data``: the brief check-in unless ``responses`` says otherwise."""
    data: dict[str, Any] = {
        "recorded_at": recorded_at.isoformat(),
        "shared": shared,
        "responses": responses
        or [{"instrument": "alongside-checkin", "version": 1, "answers": dict(CHECKIN_ANSWERS)}],
    }
    if note is not None:
        data["note"] = note
    return data


def put(
    checkin_id: str | None = None,
    *,
    base_rev: int | None = None,
    data: dict[str, Any] | None = None,
    changed_at: datetime | None = None,
    change_id: str | None = None,
) -> dict[str, Any]:
    """A put change (a new check-in unless ``checkin_id`` and ``base_rev`` say otherwise)."""
    return {
        "change_id": change_id or new_id(),
        "id": checkin_id or new_id(),
        "op": "put",
        "base_rev": base_rev,
        "changed_at": (changed_at or RECORDED + timedelta(seconds=3)).isoformat(),
        "data": data or checkin_data(),
    }


def delete(
    checkin_id: str,
    *,
    base_rev: int | None,
    changed_at: datetime | None = None,
    change_id: str | None = None,
) -> dict[str, Any]:
    """A delete change of one check-in."""
    return {
        "change_id": change_id or new_id(),
        "id": checkin_id,
        "op": "delete",
        "base_rev": base_rev,
        "changed_at": (changed_at or RECORDED + timedelta(hours=1)).isoformat(),
    }


def push_body(*changes: dict[str, Any], device_id: str = DEVICE) -> dict[str, Any]:
    return {"device_id": device_id, "changes": list(changes)}


def send(person: Any, *changes: dict[str, Any], device_id: str = DEVICE) -> list[dict[str, Any]]:
    """Push ``changes`` as ``person`` (a signed-in test client) and return the results."""
    response = person.post(PUSH, json=push_body(*changes, device_id=device_id))
    assert response.status_code == 200, response.get_json()
    results: list[dict[str, Any]] = response.get_json()["results"]
    return results
