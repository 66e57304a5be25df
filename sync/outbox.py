"""The client's local store: outbox, copy of the server's state, cursor and rejected changes.

One SQLite file per installation (``:memory:`` in tests). The server copy holds exactly
what the server last told this device about each check-in (pulled versions, push
acknowledgements, conflict answers); the outbox holds changes the person made that the
server has not acknowledged yet. What the person sees is the server copy with pending
outbox entries laid over it (PROTOCOL.md "Clients" 1 and 3).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS server_copy (
    id TEXT PRIMARY KEY,
    rev INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id TEXT NOT NULL UNIQUE,
    id TEXT NOT NULL UNIQUE,
    op TEXT NOT NULL,
    base_rev INTEGER,
    changed_at TEXT NOT NULL,
    data TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    repushes INTEGER NOT NULL DEFAULT 0,
    maybe_seen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS rejected (
    change_id TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    op TEXT NOT NULL,
    base_rev INTEGER,
    changed_at TEXT NOT NULL,
    data TEXT,
    errors TEXT NOT NULL,
    rejected_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class OutboxEntry:
    """One pending change, exactly as it will be sent."""

    change_id: str
    id: str
    op: str
    base_rev: int | None
    changed_at: str
    data: dict[str, Any] | None
    attempts: int = 0
    repushes: int = 0
    maybe_seen: bool = False

    def wire(self) -> dict[str, Any]:
        """The change as PROTOCOL.md's push request carries it."""
        change: dict[str, Any] = {
            "change_id": self.change_id,
            "id": self.id,
            "op": self.op,
            "base_rev": self.base_rev,
            "changed_at": self.changed_at,
        }
        if self.op == "put":
            change["data"] = self.data
        return change


@dataclass(frozen=True)
class RejectedChange:
    """A change the server refused (or that lost too many conflicts), for the person to see."""

    change_id: str
    id: str
    op: str
    base_rev: int | None
    changed_at: str
    data: dict[str, Any] | None
    errors: dict[str, list[str]]
    rejected_at: str


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _dumps(value: Any) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True, separators=(",", ":"))


def _entry(row: sqlite3.Row) -> OutboxEntry:
    return OutboxEntry(
        change_id=row["change_id"],
        id=row["id"],
        op=row["op"],
        base_rev=row["base_rev"],
        changed_at=row["changed_at"],
        data=_loads(row["data"]),
        attempts=row["attempts"],
        repushes=row["repushes"],
        maybe_seen=bool(row["maybe_seen"]),
    )


class LocalStore:
    """The SQLite store behind one client; every method is one local transaction."""

    def __init__(self, path: str = ":memory:") -> None:
        # One connection shared under a lock: a person may edit while a drain runs.
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._connection.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        with self.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One local transaction: everything inside commits together or not at all.

        Nested calls join the outer transaction, so a caller can make many changes atomic
        (and fast: one commit for a whole bulk import).
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._connection
                finally:
                    self._depth -= 1
                return
            self._connection.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            self._connection.execute("COMMIT")

    def close(self) -> None:
        """Close the database file."""
        self._connection.close()

    # -- settings ---------------------------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        """A stored setting (device id, cursor, instruments ETag), or None."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row["value"]

    def set_meta(self, key: str, value: str | None, db: sqlite3.Connection | None = None) -> None:
        """Store a setting (None removes it), inside ``db``'s transaction when given."""
        if db is None:
            with self.transaction() as own:
                self.set_meta(key, value, own)
            return
        if value is None:
            db.execute("DELETE FROM meta WHERE key = ?", (key,))
        else:
            db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def device_id(self) -> str:
        """This installation's device id, generated once."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
            if row is not None:
                return str(row["value"])
            device = str(uuid.uuid4())
            self.set_meta("device_id", device, db)
            return device

    # -- the person's changes (PROTOCOL.md "Clients" 1) -------------------------------------

    def record_change(
        self, *, id: str, op: str, changed_at: str, data: dict[str, Any] | None
    ) -> OutboxEntry | None:
        """Queue a put or delete by the person, replacing an unacknowledged change of ``id``.

        The replacement keeps the pending entry's ``base_rev`` and gets a new change_id
        (its content changed). A delete of a check-in the server has never seen, and that
        was never sent, removes the entry altogether; None is returned then.
        """
        with self.transaction() as db:
            pending = db.execute("SELECT * FROM outbox WHERE id = ?", (id,)).fetchone()
            known = db.execute("SELECT rev FROM server_copy WHERE id = ?", (id,)).fetchone()
            if pending is not None:
                base_rev, seen = pending["base_rev"], bool(pending["maybe_seen"])
                db.execute("DELETE FROM outbox WHERE id = ?", (id,))
            else:
                base_rev, seen = (None if known is None else known["rev"]), False
            if op == "delete" and known is None and not seen:
                return None
            entry = OutboxEntry(
                change_id=str(uuid.uuid4()),
                id=id,
                op=op,
                base_rev=base_rev,
                changed_at=changed_at,
                data=data if op == "put" else None,
                repushes=0 if pending is None else pending["repushes"],
                maybe_seen=seen,
            )
            self._insert(db, entry)
            return entry

    @staticmethod
    def _insert(db: sqlite3.Connection, entry: OutboxEntry) -> None:
        db.execute(
            "INSERT INTO outbox (change_id, id, op, base_rev, changed_at, data, attempts,"
            " repushes, maybe_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.change_id,
                entry.id,
                entry.op,
                entry.base_rev,
                entry.changed_at,
                _dumps(entry.data),
                entry.attempts,
                entry.repushes,
                int(entry.maybe_seen),
            ),
        )

    def outbox(self) -> list[OutboxEntry]:
        """Pending changes, oldest first."""
        with self.transaction() as db:
            rows = db.execute("SELECT * FROM outbox ORDER BY position").fetchall()
        return [_entry(row) for row in rows]

    def pending(self, id: str) -> OutboxEntry | None:
        """The pending change of check-in ``id``, if any."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM outbox WHERE id = ?", (id,)).fetchone()
        return None if row is None else _entry(row)

    def mark_sent(self, change_ids: list[str]) -> None:
        """Before a push: these changes may reach the server from now on."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE outbox SET attempts = attempts + 1, maybe_seen = 1 WHERE change_id = ?",
                [(change_id,) for change_id in change_ids],
            )

    # -- the server's answers (PROTOCOL.md "Clients" 2 and 4) -------------------------------

    def acknowledge(self, sent: OutboxEntry, *, rev: int, seq: int) -> None:
        """``sent`` was applied as ``rev``/``seq``: record it, and drop the entry if unchanged.

        If the person edited the check-in while the push was in flight, the replacement
        entry was made from the version just acknowledged, so it now builds on ``rev``.
        """
        with self.transaction() as db:
            version = {
                "id": sent.id,
                "rev": rev,
                "seq": seq,
                "deleted": sent.op == "delete",
                "changed_at": sent.changed_at,
                "data": sent.data if sent.op == "put" else None,
            }
            self._remember(db, version)
            db.execute("DELETE FROM outbox WHERE change_id = ?", (sent.change_id,))
            db.execute(
                "UPDATE outbox SET base_rev = ? WHERE id = ? AND base_rev IS ?",
                (rev, sent.id, sent.base_rev),
            )

    def adopt(self, sent: OutboxEntry, current: dict[str, Any]) -> None:
        """The server's version wins over ``sent``: keep it and drop the entry if unchanged."""
        with self.transaction() as db:
            self._remember(db, current, pulled=True)
            db.execute("DELETE FROM outbox WHERE change_id = ?", (sent.change_id,))

    def forget(self, sent: OutboxEntry) -> None:
        """The server holds nothing for ``sent``'s check-in: forget it, and the entry if unchanged.

        As in ``adopt``, a newer entry stays and is settled by its own push.
        """
        with self.transaction() as db:
            db.execute("DELETE FROM server_copy WHERE id = ?", (sent.id,))
            db.execute("DELETE FROM outbox WHERE change_id = ?", (sent.change_id,))

    def repush(self, sent: OutboxEntry, current: dict[str, Any]) -> OutboxEntry | None:
        """``sent`` wins over ``current``: queue it again on top of ``current.rev``.

        Returns the new entry, or None when the person changed the entry meanwhile (the
        newer entry then simply builds on ``current``).
        """
        with self.transaction() as db:
            self._remember(db, current, pulled=True)
            row = db.execute(
                "SELECT * FROM outbox WHERE change_id = ?", (sent.change_id,)
            ).fetchone()
            if row is None:
                db.execute("UPDATE outbox SET base_rev = ? WHERE id = ?", (current["rev"], sent.id))
                return None
            entry = OutboxEntry(
                change_id=str(uuid.uuid4()),
                id=sent.id,
                op=sent.op,
                base_rev=int(current["rev"]),
                changed_at=sent.changed_at,
                data=sent.data,
                attempts=row["attempts"],
                repushes=row["repushes"] + 1,
                maybe_seen=True,
            )
            db.execute("DELETE FROM outbox WHERE change_id = ?", (sent.change_id,))
            self._insert(db, entry)
            return entry

    def reject(
        self,
        sent: OutboxEntry,
        errors: dict[str, list[str]],
        *,
        now: str,
        current: dict[str, Any] | None = None,
    ) -> None:
        """Move ``sent`` to the rejected list (if the person has not changed it meanwhile)."""
        with self.transaction() as db:
            if current is not None:
                self._remember(db, current, pulled=True)
            gone = db.execute("DELETE FROM outbox WHERE change_id = ?", (sent.change_id,))
            if gone.rowcount == 0:
                return
            db.execute(
                "INSERT OR REPLACE INTO rejected (change_id, id, op, base_rev, changed_at, data,"
                " errors, rejected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    sent.change_id,
                    sent.id,
                    sent.op,
                    sent.base_rev,
                    sent.changed_at,
                    _dumps(sent.data),
                    _dumps(errors),
                    now,
                ),
            )

    def rejected(self) -> list[RejectedChange]:
        """Changes the person has to look at, oldest first."""
        with self.transaction() as db:
            rows = db.execute("SELECT * FROM rejected ORDER BY rejected_at, change_id").fetchall()
        return [
            RejectedChange(
                change_id=row["change_id"],
                id=row["id"],
                op=row["op"],
                base_rev=row["base_rev"],
                changed_at=row["changed_at"],
                data=_loads(row["data"]),
                errors=_loads(row["errors"]),
                rejected_at=row["rejected_at"],
            )
            for row in rows
        ]

    def discard_rejected(self, change_id: str) -> bool:
        """Forget a rejected change; True if it was there."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM rejected WHERE change_id = ?", (change_id,))
        return gone.rowcount > 0

    # -- the server copy (PROTOCOL.md "Clients" 3) ------------------------------------------

    @staticmethod
    def _remember(db: sqlite3.Connection, version: dict[str, Any], *, pulled: bool = False) -> None:
        """Keep ``version`` unless a newer one (higher seq) of that check-in is already here.

        A pulled version replaces an acknowledgement of the same seq, since it also carries
        what only the server knows (scores, received_at).
        """
        db.execute(
            "INSERT INTO server_copy (id, rev, seq, deleted, version) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, seq = excluded.seq,"
            " deleted = excluded.deleted, version = excluded.version"
            " WHERE excluded.seq > server_copy.seq OR (? AND excluded.seq = server_copy.seq)",
            (
                version["id"],
                int(version["rev"]),
                int(version["seq"]),
                int(bool(version["deleted"])),
                _dumps(version),
                int(pulled),
            ),
        )

    def store_page(self, changes: list[dict[str, Any]], *, cursor: str, replace_all: bool) -> None:
        """One pulled page and its cursor, in one transaction (``replace_all`` on a reset)."""
        with self.transaction() as db:
            if replace_all:
                db.execute("DELETE FROM server_copy")
            for version in changes:
                self._remember(db, version, pulled=True)
            self.set_meta("cursor", cursor, db)

    def server_copy(self) -> dict[str, dict[str, Any]]:
        """Every check-in version the server has told this device about, by id."""
        with self.transaction() as db:
            rows = db.execute("SELECT version FROM server_copy").fetchall()
        versions = [json.loads(row["version"]) for row in rows]
        return {version["id"]: version for version in versions}

    def server_version(self, id: str) -> dict[str, Any] | None:
        """The server's version of one check-in as this device knows it."""
        with self.transaction() as db:
            row = db.execute("SELECT version FROM server_copy WHERE id = ?", (id,)).fetchone()
        return None if row is None else json.loads(row["version"])

    def server_live_count(self) -> int:
        """Live check-ins in the server copy (compared with pull's ``live_count``)."""
        with self.transaction() as db:
            row = db.execute("SELECT count(*) AS n FROM server_copy WHERE deleted = 0").fetchone()
        return int(row["n"])
