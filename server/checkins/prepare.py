"""The part of a push that needs no database: reading, checking, hashing and scoring.

It runs before the push takes its locks, so they are held only to decide and write.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.checkins.content import check_responses, score_checkins
from server.checkins.envelope import readable_uuid
from server.instruments.registry import InstrumentRegistry
from sync.hashing import change_hash
from sync.protocol import load_change
from sync.rules import Op


@dataclass
class PreparedChange:
    """One change as read before any lock: its hash, loaded form or errors, and scores."""

    raw: Mapping[str, Any]
    change_id: uuid.UUID
    checkin_id: uuid.UUID | None  # None when the change names no readable id
    digest: str
    change: dict[str, Any] | None
    errors: dict[str, list[str]]
    scores: dict[str, Any] | None = None

    @property
    def echo(self) -> dict[str, Any]:
        """The ids a result repeats back, as the client sent them."""
        checkin_id = self.raw.get("id")
        return {
            "change_id": self.raw["change_id"],
            "id": checkin_id if isinstance(checkin_id, str) else None,
        }


def prepare_changes(
    raw_changes: Sequence[Mapping[str, Any]], registry: InstrumentRegistry
) -> list[PreparedChange]:
    """Read, check, hash and score every change: the work that needs no database."""
    prepared = []
    for raw in raw_changes:
        change, errors = load_change(raw)
        if change is None:
            # read_push_envelope made sure of a readable change_id.
            change_id, checkin_id = uuid.UUID(raw["change_id"]), readable_uuid(raw.get("id"))
        else:
            change_id, checkin_id = change["change_id"], change["id"]
            if change["op"] == Op.PUT:
                errors = check_responses(registry, change["data"]["responses"])
        prepared.append(
            PreparedChange(raw, change_id, checkin_id, change_hash(raw), change, errors)
        )
    # Scored whether or not they will apply: one engine call per instrument for the batch.
    puts = [p for p in prepared if p.change is not None and not p.errors and p.change["data"]]
    scored = score_checkins(registry, [p.change["data"]["responses"] for p in puts])  # type: ignore[index]
    for put, scores in zip(puts, scored, strict=True):
        put.scores = scores
    return prepared
