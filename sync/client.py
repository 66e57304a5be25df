"""The Python sync client: offline changes into an outbox, then push and pull (PROTOCOL.md).

    client = SyncClient(LocalStore("phone.sqlite3"), Transport(url, token))
    checkin_id = client.put({"recorded_at": ..., "shared": False, "responses": [...]})
    client.drain()          # push the outbox, then pull until nothing more waits
    client.rejected()       # what the server refused, for the person to fix or discard

Everything the person does is stored locally first, so nothing is lost offline or when a
request fails; the server's idempotency (``change_id``) makes every resend safe.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sync import rules
from sync.outbox import LocalStore, OutboxEntry, RejectedChange
from sync.protocol import MAX_BODY_BYTES, MAX_CHANGES
from sync.transport import RequestRefused, SyncError, Transport

PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull"
INSTRUMENTS_PATH = "/api/v1/instruments"
MAX_BATCH_CHANGES = MAX_CHANGES
# Strictly under the server's 1 MiB limit.
MAX_BATCH_BYTES = MAX_BODY_BYTES - 1
# A push drain re-sends what conflict resolution re-queued; this bounds it even if the
# person keeps editing while it runs.
MAX_PUSH_ROUNDS = rules.MAX_REPUSHES + 2
CHANGED_ON_ANOTHER_DEVICE = {"id": [rules.CHANGED_ON_ANOTHER_DEVICE]}
TOO_LARGE = {"data": ["this check-in is too large to send"]}


def utcnow() -> datetime:
    """The device clock, as an aware UTC datetime."""
    return datetime.now(UTC)


def _encode(value: Any) -> bytes:
    # UTF-8 as is: a note in any script costs its real size, not six bytes per character.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class DrainReport:
    """What one push or pull did, for logs, tests and the bulk import."""

    applied: int = 0
    duplicates: int = 0
    conflicts: int = 0
    rejected: int = 0
    repushed: int = 0
    pulled: int = 0
    pages: int = 0
    reset: bool = False
    redownloaded: bool = False
    statuses: list[str] = field(default_factory=list)

    def merge(self, other: DrainReport) -> DrainReport:
        """Add ``other``'s counts to this one."""
        for name in ("applied", "duplicates", "conflicts", "rejected", "repushed", "pulled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.pages += other.pages
        self.reset = self.reset or other.reset
        self.redownloaded = self.redownloaded or other.redownloaded
        self.statuses.extend(other.statuses)
        return self


class SyncClient:
    """One device of one person: local changes, and the push/pull drain that syncs them."""

    def __init__(
        self,
        store: LocalStore,
        transport: Transport,
        *,
        clock: Callable[[], datetime] = utcnow,
        max_batch_changes: int = MAX_BATCH_CHANGES,
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self.store = store
        self.transport = transport
        self.clock = clock
        self.device_id = store.device_id()
        self.max_batch_changes = max_batch_changes
        self.max_batch_bytes = max_batch_bytes

    # -- what the person does (offline) -----------------------------------------------------

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat()

    def put(self, data: dict[str, Any], *, id: str | None = None) -> str:
        """Save a new check-in locally and queue it; returns its id."""
        checkin_id = id or str(uuid.uuid4())
        self.store.record_change(id=checkin_id, op="put", changed_at=self._now(), data=data)
        return checkin_id

    def edit(self, id: str, data: dict[str, Any]) -> None:
        """Change a check-in this device shows; ``recorded_at`` stays as first recorded."""
        shown = self.checkin(id)
        if shown is None:
            raise KeyError(f"no check-in {id} on this device")
        data = {**data, "recorded_at": shown["data"]["recorded_at"]}
        self.store.record_change(id=id, op="put", changed_at=self._now(), data=data)

    def delete(self, id: str) -> None:
        """Delete a check-in this device shows."""
        if self.checkin(id) is None:
            raise KeyError(f"no check-in {id} on this device")
        self.store.record_change(id=id, op="delete", changed_at=self._now(), data=None)

    def checkins(self) -> dict[str, dict[str, Any]]:
        """The live check-ins as the person sees them: server copy with pending changes on top.

        Each is ``{"id", "rev", "data", "pending"}``; ``rev`` is the server's latest known
        rev (None for a check-in the server has not acknowledged yet).
        """
        shown: dict[str, dict[str, Any]] = {}
        for id, version in self.store.server_copy().items():
            if not version["deleted"]:
                shown[id] = {"id": id, "rev": version["rev"], "data": version["data"]}
                shown[id]["pending"] = False
        for entry in self.store.outbox():
            known = self.store.server_version(entry.id)
            rev = None if known is None else known["rev"]
            if entry.op == "delete":
                shown.pop(entry.id, None)
            else:
                shown[entry.id] = {"id": entry.id, "rev": rev, "data": entry.data, "pending": True}
        return shown

    def checkin(self, id: str) -> dict[str, Any] | None:
        """One check-in as the person sees it, or None if deleted or unknown."""
        return self.checkins().get(id)

    def rejected(self) -> list[RejectedChange]:
        """Changes the server refused, or that lost repeatedly to another device's edits."""
        return self.store.rejected()

    def discard_rejected(self, change_id: str) -> bool:
        """The person lets a rejected change go."""
        return self.store.discard_rejected(change_id)

    def resend_rejected(self, change_id: str, data: dict[str, Any] | None = None) -> str:
        """Queue a rejected change again as a new change (``data`` fixes a put); its id."""
        found = [change for change in self.store.rejected() if change.change_id == change_id]
        if not found:
            raise KeyError(f"no rejected change {change_id}")
        change = found[0]
        content = data if data is not None else change.data
        self.store.record_change(id=change.id, op=change.op, changed_at=self._now(), data=content)
        self.store.discard_rejected(change_id)
        return change.id

    # -- sync ---------------------------------------------------------------------------------

    def drain(self) -> DrainReport:
        """Push the outbox, then pull until no more changes wait (PROTOCOL.md "Clients")."""
        report = self.push()
        return report.merge(self.pull())

    def push(self) -> DrainReport:
        """Send the outbox in batches until it is empty or only holds fresh edits."""
        report = DrainReport()
        for _ in range(MAX_PUSH_ROUNDS):
            entries = self.store.outbox()
            if not entries:
                break
            for batch in self._batches(entries):
                self._push_batch(batch, report)
        return report

    def _batches(self, entries: list[OutboxEntry]) -> Iterator[list[OutboxEntry]]:
        batch: list[OutboxEntry] = []
        size = len(self._envelope([]))
        for entry in entries:
            entry_size = len(_encode(entry.wire())) + 1
            full = len(batch) >= self.max_batch_changes or size + entry_size > self.max_batch_bytes
            if batch and full:
                yield batch
                batch, size = [], len(self._envelope([]))
            batch.append(entry)
            size += entry_size
        if batch:
            yield batch

    def _envelope(self, entries: list[OutboxEntry]) -> bytes:
        return _encode({"device_id": self.device_id, "changes": [e.wire() for e in entries]})

    def _push_batch(self, batch: list[OutboxEntry], report: DrainReport) -> None:
        body = self._envelope(batch)
        if len(body) > self.max_batch_bytes and len(batch) == 1:
            self.store.reject(batch[0], TOO_LARGE, now=self._now())
            report.rejected += 1
            return
        self.store.mark_sent([entry.change_id for entry in batch])
        try:
            response = self.transport.request("POST", PUSH_PATH, content=body)
        except RequestRefused as refused:
            if refused.status != 413:
                raise
            # The server's limit is lower than ours: halve and try again.
            if len(batch) == 1:
                self.store.reject(batch[0], TOO_LARGE, now=self._now())
                report.rejected += 1
                return
            middle = len(batch) // 2
            self._push_batch(batch[:middle], report)
            self._push_batch(batch[middle:], report)
            return
        answer = response.json()
        results = answer.get("results", [])
        if [r.get("change_id") for r in results] != [e.change_id for e in batch]:
            raise SyncError("the server answered a push with results for other changes")
        # One local transaction for the whole answer: atomic, and one commit, not 500.
        with self.store.transaction():
            for entry, result in zip(batch, results, strict=True):
                self._settle(entry, result, str(answer["server_time"]), report)

    def _settle(
        self, entry: OutboxEntry, result: dict[str, Any], server_time: str, report: DrainReport
    ) -> None:
        status = result["status"]
        report.statuses.append(status)
        if status == "duplicate":
            report.duplicates += 1
            status = result["outcome"]
        if status == "applied":
            report.applied += 1
            self.store.acknowledge(entry, rev=int(result["rev"]), seq=int(result["seq"]))
        elif status == "conflict":
            report.conflicts += 1
            self._resolve(entry, result["current"], server_time, report)
        else:
            report.rejected += 1
            self.store.reject(entry, result.get("errors") or {}, now=self._now())

    def _resolve(
        self,
        entry: OutboxEntry,
        current: dict[str, Any] | None,
        server_time: str,
        report: DrainReport,
    ) -> None:
        """The conflict rule of PROTOCOL.md "Clients" 4 (sync.rules, shared with the server)."""
        if current is None:
            # Deleted and its tombstone purged since the first answer: a delete beats an
            # edit, and there is no tombstone left to keep.
            self.store.forget(entry)
            return
        resolution = rules.resolve_conflict(
            local_op=rules.Op(entry.op),
            local_changed_at=_parse_time(entry.changed_at),
            local_device_id=self.device_id,
            server_deleted=bool(current["deleted"]),
            server_changed_at=_parse_time(current["changed_at"]),
            server_received_at=_parse_time(current["received_at"]),
            server_device_id=str(current["device_id"]),
            server_time=_parse_time(server_time),
            repushes=entry.repushes,
        )
        if resolution is rules.Resolution.ASK_PERSON:
            self.store.reject(entry, CHANGED_ON_ANOTHER_DEVICE, now=self._now(), current=current)
            report.rejected += 1
        elif resolution is rules.Resolution.REPUSH:
            if self.store.repush(entry, current) is not None:
                report.repushed += 1
        else:
            # KEEP_TOMBSTONE or ADOPT_SERVER: the server's version is what the person sees.
            self.store.adopt(entry, current)

    def pull(self, *, limit: int = 200) -> DrainReport:
        """Pull pages until ``more`` is false, storing each page with its cursor atomically."""
        report = DrainReport()
        cursor = self.store.get_meta("cursor")
        replace_all = False
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor is not None:
                params["cursor"] = cursor
            try:
                page = self.transport.request("GET", PULL_PATH, params=params).json()
            except RequestRefused as refused:
                if refused.status != 422 or cursor is None or report.redownloaded:
                    raise
                # The server cannot read our cursor (e.g. after an upgrade): start over.
                cursor, replace_all, report.redownloaded = None, True, True
                continue
            self.store.store_page(
                page["changes"], cursor=page["cursor"], replace_all=replace_all or page["reset"]
            )
            replace_all = False
            report.reset = report.reset or bool(page["reset"])
            report.pages += 1
            report.pulled += len(page["changes"])
            self._check_instruments(page.get("instruments_etag"))
            if page["more"]:
                cursor = page["cursor"]
                continue
            if page["live_count"] == self.store.server_live_count() or report.redownloaded:
                return report
            # Divergence (PROTOCOL.md pull): re-download everything from an empty cursor.
            cursor, replace_all, report.redownloaded = None, True, True

    def _check_instruments(self, etag: str | None) -> None:
        if etag is None or etag == self.store.get_meta("instruments_etag"):
            return
        definitions = self.transport.request("GET", INSTRUMENTS_PATH).text
        with self.store.transaction() as db:
            self.store.set_meta("instruments", definitions, db)
            self.store.set_meta("instruments_etag", etag, db)
