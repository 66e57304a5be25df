"""A check-in version in memory, and how it is shown to clients (pull, conflicts, export)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa

from server.checkins.models import Checkin
from server.sealing import SessionKeys

CONTENT_CONTEXT: bytes = Checkin.content.context
SCORES_CONTEXT: bytes = Checkin.scores.context
PULLED_CONTEXT: bytes = Checkin.pulled.context

# The columns a version is read from, without going through ORM objects (bulk reads).
# Not pulled_sealed: only pull reads the stored rendering, through its own columns.
VERSION_COLUMNS = (
    Checkin.id,
    Checkin.user_id,
    Checkin.device_id,
    Checkin.rev,
    Checkin.seq,
    Checkin.recorded_at,
    Checkin.changed_at,
    Checkin.received_at,
    Checkin.effective_at,
    Checkin.clock_skew,
    Checkin.shared,
    Checkin.deleted,
    Checkin.instruments,
    Checkin.content_sealed,
    Checkin.scores_sealed,
)


@dataclass
class Version:
    """One check-in version: plain ``content``/``scores`` once known, or their sealed bytes."""

    id: uuid.UUID
    user_id: uuid.UUID
    device_id: uuid.UUID
    rev: int
    seq: int
    recorded_at: datetime
    changed_at: datetime
    received_at: datetime
    effective_at: datetime
    clock_skew: bool
    shared: bool
    deleted: bool
    instruments: str
    content: dict[str, Any] | None = None
    scores: dict[str, Any] | None = None
    content_sealed: bytes | None = None
    scores_sealed: bytes | None = None

    @classmethod
    def from_row(cls, row: sa.Row[Any] | Any) -> Version:
        """A version read with VERSION_COLUMNS (content stays sealed until opened)."""
        return cls(**row._asdict())

    def open(self, keys: SessionKeys) -> Version:
        """Open the sealed content and scores with the owner's data key (cached per session)."""
        if self.content is None and self.content_sealed is not None:
            self.content = json.loads(
                keys.open(
                    CONTENT_CONTEXT, row_id=self.id, user_id=self.user_id, token=self.content_sealed
                )
            )
        if self.scores is None and self.scores_sealed is not None:
            self.scores = json.loads(
                keys.open(
                    SCORES_CONTEXT, row_id=self.id, user_id=self.user_id, token=self.scores_sealed
                )
            )
        return self

    def data(self) -> dict[str, Any] | None:
        """The check-in's ``data`` as the protocol shows it; None for a tombstone."""
        if self.deleted or self.content is None:
            return None
        return {
            "recorded_at": self.recorded_at.isoformat(),
            "shared": self.shared,
            "note": self.content.get("note"),
            "responses": self.content["responses"],
        }

    def pulled(self) -> dict[str, Any]:
        """The protocol's pulled-change shape (also a conflict's ``current``); open first."""
        return {
            "id": str(self.id),
            "rev": self.rev,
            "seq": self.seq,
            "deleted": self.deleted,
            "recorded_at": self.recorded_at.isoformat(),
            "changed_at": self.changed_at.isoformat(),
            "received_at": self.received_at.isoformat(),
            "clock_skew": self.clock_skew,
            "device_id": str(self.device_id),
            "data": self.data(),
            "scores": None if self.deleted else self.scores,
        }


def pulled_json(version: Version) -> bytes:
    """``version.pulled()`` as compact JSON, byte for byte what pull serves; open first."""
    return orjson.dumps(version.pulled())


def seal_pulled(version: Version, keys: SessionKeys) -> bytes:
    """The version's pulled rendering sealed to its row and owner (``pulled_sealed``).

    Rendered once on write from the plain content and scores, so pull opens one value per
    change instead of opening two and formatting times and ids on every read.
    """
    return keys.seal(
        PULLED_CONTEXT, row_id=version.id, user_id=version.user_id, plaintext=pulled_json(version)
    )
