"""Reading a push request as a whole: 413 beyond 500 changes, 422 when it cannot be read.

Only the envelope is checked here. Each change is read on its own later, so one bad
change is rejected by itself and never fails the batch (PROTOCOL.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from server.errors import InvalidInput, PayloadTooLarge
from sync.protocol import MAX_CHANGES

_ENVELOPE_KEYS = frozenset(("device_id", "changes"))


def read_push_envelope(body: object) -> tuple[uuid.UUID, list[Any]]:
    """The device id and raw changes of a push; 413 over 500 changes, 422 when unreadable."""
    if not isinstance(body, Mapping):
        raise InvalidInput(
            "Send a JSON object with device_id and changes.", details={"_": ["must be an object"]}
        )
    changes = body.get("changes")
    if isinstance(changes, list) and len(changes) > MAX_CHANGES:
        raise PayloadTooLarge(
            f"A push holds at most {MAX_CHANGES} changes; send the rest in another push.",
            details={"changes": [f"{len(changes)} changes: at most {MAX_CHANGES} per push"]},
        )
    errors: dict[str, list[str]] = {
        key: ["unknown field"] for key in body if key not in _ENVELOPE_KEYS
    }
    device_id = readable_uuid(body.get("device_id"))
    if device_id is None:
        errors["device_id"] = ["must be the UUID of this installation"]
    if not isinstance(changes, list):
        errors["changes"] = ["must be a list of changes"]
    else:
        for position, raw in enumerate(changes):
            if not isinstance(raw, Mapping) or readable_uuid(raw.get("change_id")) is None:
                errors[f"changes.{position}.change_id"] = ["every change needs a change_id UUID"]
    if errors:
        raise InvalidInput("The push could not be read; nothing was stored.", details=errors)
    assert device_id is not None
    assert isinstance(changes, list)
    return device_id, changes


def readable_uuid(value: object) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
