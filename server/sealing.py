"""Sealed fields: columns encrypted with their owner's data key and bound to their row.

A model declares ``note = Sealed("note_sealed", codec=TEXT)``. Feature code reads and
writes ``row.note`` as plain text; a flush hook seals pending values once the row's id is
known, and a read opens the ciphertext with a data key cached for the session, so a read
of many rows unwraps each person's key once (DESIGN.md §5). The associated data names the
table, column, row id and owner, so a ciphertext copied anywhere else does not open.
"""

from __future__ import annotations

import json
import threading
import uuid
import weakref
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

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


class KeyRingSource(Protocol):
    """Where a key ring comes from: the instance key file or ``ALONGSIDE_KEYS``."""

    def load(self) -> crypto.KeyRing:
        """Read the ring."""
        ...

    def signature(self) -> Hashable:
        """A cheap token that changes when the ring may have changed (the key file's stat)."""
        ...


class FixedKeyRing:
    """A ring that never changes (environment keys, tests)."""

    def __init__(self, ring: crypto.KeyRing) -> None:
        self._ring = ring

    def load(self) -> crypto.KeyRing:
        return self._ring

    def signature(self) -> Hashable:
        return None


class LiveKeyRing:
    """One engine's key ring, re-read when its source changes, so a rotation by another
    process reaches this one without a restart."""

    def __init__(self, source: KeyRingSource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self._signature = source.signature()
        self.ring = source.load()

    def refresh(self) -> crypto.KeyRing:
        """The ring, re-read first if its source changed since it was last read."""
        if self.source.signature() != self._signature:
            return self.reload()
        return self.ring

    def reload(self) -> crypto.KeyRing:
        """Re-read the ring from its source."""
        with self._lock:
            signature = self.source.signature()
            self.ring = self.source.load()
            self._signature = signature
        return self.ring


_keyrings: weakref.WeakKeyDictionary[Engine, LiveKeyRing] = weakref.WeakKeyDictionary()


def register_keyring(engine: Engine, ring: crypto.KeyRing | LiveKeyRing) -> None:
    """Make ``ring`` the key ring for every session on ``engine`` (called by the app factory)."""
    _keyrings[engine] = ring if isinstance(ring, LiveKeyRing) else LiveKeyRing(FixedKeyRing(ring))


def _engine_of(session: Session) -> Engine:
    bind = session.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def live_keyring_for(session: Session) -> LiveKeyRing:
    """The live key ring registered for the engine behind ``session``."""
    try:
        return _keyrings[_engine_of(session)]
    except KeyError:
        raise crypto.KeyProblem("no key ring is registered for this database engine") from None


def keyring_for(session: Session) -> crypto.KeyRing:
    """The key ring registered for the engine behind ``session``."""
    return live_keyring_for(session).ring


def hold_key_table(session: Session, *, exclusive: bool = False) -> None:
    """Lock ``user_keys`` against a concurrent retirement (or, ``exclusive``, perform one).

    A process that read the key file before a rotation could otherwise wrap a new data key
    under a version that is being retired at that moment. Writers take the shared lock
    before looking at the key file; retirement takes the exclusive one before it counts.
    On SQLite every write transaction already holds the database's one write lock.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        mode = "SHARE ROW EXCLUSIVE" if exclusive else "ROW EXCLUSIVE"
        connection.execute(sa.text(f"LOCK TABLE {UserKey.__tablename__} IN {mode} MODE"))


# Every request that seals or opens looks up one wrapped key: built once, read as a plain
# row. The id is typed here: at import the foreign-key column's type is not yet known.
_WRAPPED_KEY = sa.select(
    UserKey.user_id, UserKey.generation, UserKey.kek_version, UserKey.wrapped_key
).where(UserKey.user_id == sa.bindparam("user_id", type_=sa.Uuid()))


class _WrappedKeyRow(Protocol):
    """What unwrapping reads: a ``UserKey`` or a row of ``_WRAPPED_KEY``."""

    user_id: uuid.UUID
    generation: int
    kek_version: int
    wrapped_key: bytes


_caches: weakref.WeakSet[SessionKeys] = weakref.WeakSet()
_caches_lock = threading.Lock()


class SessionKeys:
    """Data keys unwrapped for one session; dropped on rollback so no unsaved key is reused."""

    def __init__(self, session: Session, live: LiveKeyRing) -> None:
        self._session = session
        self._live = live
        self._keys: dict[uuid.UUID, crypto.DataKey] = {}
        with _caches_lock:
            _caches.add(self)

    def prefetch(self, user_ids: Iterable[uuid.UUID]) -> None:
        """Unwrap the keys of many people with one query per 500."""
        missing = list({uid for uid in user_ids if uid not in self._keys})
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            for row in self._session.scalars(sa.select(UserKey).where(UserKey.user_id.in_(chunk))):
                self._keys[row.user_id] = self._unwrap(row)

    def _unwrap(self, row: _WrappedKeyRow) -> crypto.DataKey:
        ring = self._live.ring
        if row.kek_version not in ring.keys:
            # Another process may have rotated the key file since this one read it: look once.
            ring = self._live.reload()
        key = crypto.unwrap_data_key(
            ring, user_id=row.user_id, version=row.kek_version, wrapped=row.wrapped_key
        )
        return crypto.DataKey(key, row.generation)

    def key_for(self, user_id: uuid.UUID, *, create: bool = False) -> crypto.DataKey:
        """The person's data key; with ``create``, a new one is made and stored if none exists."""
        found = self._keys.get(user_id)
        if found is not None:
            return found
        row: _WrappedKeyRow | None = self._session.execute(
            _WRAPPED_KEY, {"user_id": user_id}
        ).first()
        if row is None:
            if not create:
                raise crypto.UnreadableError("this person has no data key (erased?)")
            row = self._create(user_id)
        self._keys[user_id] = self._unwrap(row)
        return self._keys[user_id]

    def _create(self, user_id: uuid.UUID) -> UserKey:
        hold_key_table(self._session)
        ring = self._live.refresh()  # wrap under the version that is current now, not at start-up
        version, wrapped = crypto.wrap_data_key(
            ring, user_id=user_id, data_key=crypto.new_data_key()
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
        key = self._keys.get(user_id) or self.key_for(user_id, create=True)
        return key.seal(plaintext, context, row_id, user_id)

    def open(self, context: bytes, *, row_id: uuid.UUID, user_id: uuid.UUID, token: bytes) -> bytes:
        """Open one field of one row (for bulk reads that bypass the ORM)."""
        key = self._keys.get(user_id) or self.key_for(user_id)  # the cache hit inline: hot path
        return key.open(token, context, row_id, user_id)


def forget_everywhere(user_id: uuid.UUID) -> None:
    """Drop a person's data key from every session cache in this process (erasure)."""
    with _caches_lock:
        caches = list(_caches)
    for keys in caches:
        keys.forget(user_id)


def session_keys(session: Session) -> SessionKeys:
    """The session's data-key cache, created on first use."""
    keys = session.info.get(_KEYS_INFO)
    if keys is None:
        live = live_keyring_for(session)
        live.refresh()  # a stat: a key retired by another process leaves this one's memory too
        keys = session.info[_KEYS_INFO] = SessionKeys(session, live)
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
    # A row garbage-collected while expire_all walks the identity map arrives as None.
    if row is not None:
        row.__dict__.pop(_PLAIN, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_keys_on_rollback(session: Session, _previous: Any) -> None:
    # A key created in the rolled-back transaction was never stored: never seal with it.
    keys = session.info.get(_KEYS_INFO)
    if keys is not None:
        keys.forget()
