"""Sealed fields: columns encrypted with their owner's data key and bound to their row.

A model declares ``note = Sealed("note_sealed", codec=TEXT)``. Feature code reads and
writes ``row.note`` as plain text; a flush hook seals pending values once the row's id is
known, and a read opens the ciphertext with a data key cached for the session, so a read
of many rows unwraps each person's key once (DESIGN.md §5). The associated data names the
table, column, row id and owner, so a ciphertext copied anywhere else does not open.
"""

from __future__ import annotations

import json
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, object_session

from server import crypto
from server.clock import utcnow
from server.database import Base, new_id
from server.keys.models import UserKey

T = TypeVar("T")
_KEYS_INFO = "alongside.session_keys"
_PLAIN = "_alongside_plain"
_PENDING = "_alongside_pending"
# A placeholder that marks the column dirty until the flush hook seals the real value.
_UNSEALED = b""


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How a sealed field's value becomes bytes and back."""

    encode: Callable[[T], bytes]
    decode: Callable[[bytes], T]


TEXT: Codec[str] = Codec(lambda value: value.encode("utf-8"), lambda raw: raw.decode("utf-8"))
JSON: Codec[Any] = Codec(
    lambda value: json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
    json.loads,
)

_keyrings: weakref.WeakKeyDictionary[Engine, crypto.KeyRing] = weakref.WeakKeyDictionary()


def register_keyring(engine: Engine, ring: crypto.KeyRing) -> None:
    """Make ``ring`` the key ring for every session on ``engine`` (called by the app factory)."""
    _keyrings[engine] = ring


def keyring_for(session: Session) -> crypto.KeyRing:
    """The key ring registered for the engine behind ``session``."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    try:
        return _keyrings[engine]
    except KeyError:
        raise crypto.KeyProblem("no key ring is registered for this database engine") from None


class SessionKeys:
    """Data keys unwrapped for one session; dropped on rollback so no unsaved key is reused."""

    def __init__(self, session: Session, ring: crypto.KeyRing) -> None:
        self._session = session
        self._ring = ring
        self._keys: dict[uuid.UUID, crypto.DataKey] = {}

    def prefetch(self, user_ids: Iterable[uuid.UUID]) -> None:
        """Unwrap the keys of many people with one query per 500."""
        missing = list({uid for uid in user_ids if uid not in self._keys})
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for row in self._session.scalars(sa.select(UserKey).where(UserKey.user_id.in_(chunk))):
                self._keys[row.user_id] = self._unwrap(row)

    def _unwrap(self, row: UserKey) -> crypto.DataKey:
        key = crypto.unwrap_data_key(
            self._ring, user_id=row.user_id, version=row.kek_version, wrapped=row.wrapped_key
        )
        return crypto.DataKey(key, row.generation)

    def key_for(self, user_id: uuid.UUID, *, create: bool = False) -> crypto.DataKey:
        """The person's data key; with ``create``, a new one is made and stored if none exists."""
        found = self._keys.get(user_id)
        if found is not None:
            return found
        row = self._session.get(UserKey, user_id)
        if row is None:
            if not create:
                raise crypto.UnreadableError("this person has no data key (erased?)")
            row = self._create(user_id)
        self._keys[user_id] = self._unwrap(row)
        return self._keys[user_id]

    def _create(self, user_id: uuid.UUID) -> UserKey:
        version, wrapped = crypto.wrap_data_key(
            self._ring, user_id=user_id, data_key=crypto.new_data_key()
        )
        row = UserKey(
            user_id=user_id,
            generation=1,
            kek_version=version,
            wrapped_key=wrapped,
            created_at=utcnow(),
        )
        self._session.add(row)
        return row

    def forget(self, user_id: uuid.UUID | None = None) -> None:
        """Drop one cached key (after erasure) or all of them."""
        if user_id is None:
            self._keys.clear()
        else:
            self._keys.pop(user_id, None)

    def seal(
        self, context: bytes, *, row_id: uuid.UUID, user_id: uuid.UUID, plaintext: bytes
    ) -> bytes:
        """Seal bytes for one field of one row (for bulk writes that bypass the ORM)."""
        return self.key_for(user_id, create=True).seal(plaintext, context, row_id, user_id)

    def open(self, context: bytes, *, row_id: uuid.UUID, user_id: uuid.UUID, token: bytes) -> bytes:
        """Open one field of one row (for bulk reads that bypass the ORM)."""
        return self.key_for(user_id).open(token, context, row_id, user_id)


def session_keys(session: Session) -> SessionKeys:
    """The session's data-key cache, created on first use."""
    keys = session.info.get(_KEYS_INFO)
    if keys is None:
        keys = session.info[_KEYS_INFO] = SessionKeys(session, keyring_for(session))
    return keys


class Sealed(Generic[T]):
    """A plain attribute backed by a sealed column (see the module docstring)."""

    def __init__(self, column: str, *, codec: Codec[T], owner: str = "user_id") -> None:
        self.column = column
        self.codec = codec
        self.owner = owner
        self.name = ""
        self.context = b""

    def __set_name__(self, owner_class: type, name: str) -> None:
        self.name = name
        self.context = crypto.field_context(owner_class.__tablename__, self.column)  # type: ignore[attr-defined]
        fields = dict(getattr(owner_class, "__sealed_fields__", {}))
        fields[name] = self
        owner_class.__sealed_fields__ = fields  # type: ignore[attr-defined]

    def __get__(self, row: Any, owner_class: type | None = None) -> Any:
        if row is None:
            return self
        plain = row.__dict__.setdefault(_PLAIN, {})
        if self.name in plain:
            return plain[self.name]
        token = getattr(row, self.column)
        if token is None:
            return None
        session = object_session(row)
        if session is None:
            raise crypto.UnreadableError(f"{self.name} can only be opened on a row in a session")
        opened = session_keys(session).open(
            self.context, row_id=row.id, user_id=getattr(row, self.owner), token=token
        )
        plain[self.name] = value = self.codec.decode(opened)
        return value

    def __set__(self, row: Any, value: T | None) -> None:
        row.__dict__.setdefault(_PLAIN, {})[self.name] = value
        row.__dict__.setdefault(_PENDING, set()).add(self.name)
        setattr(row, self.column, None if value is None else _UNSEALED)

    def seal_pending(self, row: Any, keys: SessionKeys) -> None:
        value = row.__dict__[_PLAIN][self.name]
        if value is None:
            return
        plaintext = self.codec.encode(value)
        token = keys.seal(
            self.context, row_id=row.id, user_id=getattr(row, self.owner), plaintext=plaintext
        )
        setattr(row, self.column, token)


@event.listens_for(Session, "before_flush")
def _seal_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    """Seal every pending sealed value once each row has its id."""
    for row in list(session.new) + list(session.dirty):
        pending: set[str] | None = row.__dict__.get(_PENDING)
        if not pending:
            continue
        if getattr(row, "id", None) is None:
            row.id = new_id()
        keys = session_keys(session)
        fields = type(row).__sealed_fields__
        for name in sorted(pending):
            fields[name].seal_pending(row, keys)
        pending.clear()


@event.listens_for(Base, "expire", propagate=True)
@event.listens_for(Base, "refresh", propagate=True)
def _drop_opened_values(row: Any, *_args: Any) -> None:
    # Reloaded ciphertext may differ from what was opened before; open it again when read.
    row.__dict__.pop(_PLAIN, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_keys_on_rollback(session: Session, _previous: Any) -> None:
    # A key created in the rolled-back transaction was never stored: never seal with it.
    keys = session.info.get(_KEYS_INFO)
    if keys is not None:
        keys.forget()
