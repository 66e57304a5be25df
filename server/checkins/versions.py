"""A check-in version in memory, and how it is shown to clients (pull, conflicts, export)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

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


class SealedColumns(NamedTuple):
    """A version's sealed columns, by their names in ``checkins``."""

    content_sealed: bytes | None
    scores_sealed: bytes | None
    pulled_sealed: bytes


def seal_version(version: Version, keys: _Sealer) -> SealedColumns:
    """Content, scores and the pulled rendering, sealed to the row and owner; open first.

    The rendering is what pull serves (``pulled_sealed``), sealed on write so a pull
    opens one value per change instead of opening two and formatting times and ids. Each
    of content and scores is serialised once, and its JSON spliced into the rendering:
    the bytes are those of ``orjson.dumps(version.pulled())`` (a unit test holds this).
    """
    content_json = scores_json = None
    if not version.deleted and version.content is not None:
        # In data()'s order, which render_pulled's splice relies on.
        content = {"note": version.content.get("note"), "responses": version.content["responses"]}
        content_json = orjson.dumps(content)
        if version.scores is not None:
            scores_json = orjson.dumps(version.scores)
    pulled = render_pulled(
        checkin_id=version.id,
        rev=version.rev,
        seq=version.seq,
        deleted=version.deleted,
        recorded_at=version.recorded_at,
        changed_at=version.changed_at,
        received_at=version.received_at,
        clock_skew=version.clock_skew,
        device_id=version.device_id,
        shared=version.shared,
        content_json=content_json,
        scores_json=scores_json,
    )

    def seal(context: bytes, plaintext: bytes | None) -> bytes | None:
        if plaintext is None:
            return None
        return keys.seal(context, row_id=version.id, user_id=version.user_id, plaintext=plaintext)

    return SealedColumns(
        content_sealed=seal(CONTENT_CONTEXT, content_json),
        scores_sealed=seal(SCORES_CONTEXT, scores_json),
        pulled_sealed=keys.seal(
            PULLED_CONTEXT, row_id=version.id, user_id=version.user_id, plaintext=pulled
        ),
    )


def sealed_row(version: Version, keys: _Sealer) -> dict[str, Any]:
    """The ``checkins`` row of a version: its plain columns and its sealed ones; open first."""
    return {
        "id": version.id,
        "user_id": version.user_id,
        "device_id": version.device_id,
        "rev": version.rev,
        "seq": version.seq,
        "recorded_at": version.recorded_at,
        "changed_at": version.changed_at,
        "received_at": version.received_at,
        "effective_at": version.effective_at,
        "clock_skew": version.clock_skew,
        "shared": version.shared,
        "deleted": version.deleted,
        "instruments": version.instruments,
        **seal_version(version, keys)._asdict(),
    }


def render_pulled(
    *,
    checkin_id: uuid.UUID,
    rev: int,
    seq: int,
    deleted: bool,
    recorded_at: datetime,
    changed_at: datetime,
    received_at: datetime,
    clock_skew: bool,
    device_id: uuid.UUID,
    shared: bool,
    content_json: bytes | None,
    scores_json: bytes | None,
) -> bytes:
    """The compact JSON of ``Version.pulled()`` from its parts, content and scores spliced in.

    Times must be UTC: orjson writes them as ``isoformat()`` does then, and ids as ``str()``
    does, several times faster. ``content_json`` is the stored content,
    ``{"note":...,"responses":...}`` in that order, whose members become ``data``'s last
    two; None (a tombstone, or content not opened) gives ``data: null`` and ``scores: null``.
    """
    data = scores = None
    if content_json is not None:
        opening = orjson.dumps({"recorded_at": recorded_at, "shared": shared})
        data = orjson.Fragment(opening[:-1] + b"," + content_json[1:])
        if scores_json is not None:
            scores = orjson.Fragment(scores_json)
    return orjson.dumps(
        {
            "id": checkin_id,
            "rev": rev,
            "seq": seq,
            "deleted": deleted,
            "recorded_at": recorded_at,
            "changed_at": changed_at,
            "received_at": received_at,
            "clock_skew": clock_skew,
            "device_id": device_id,
            "data": data,
            "scores": scores,
        }
    )


class _Sealer(Protocol):
    def seal(
        self, context: bytes, *, row_id: uuid.UUID, user_id: uuid.UUID, plaintext: bytes
    ) -> bytes: ...
