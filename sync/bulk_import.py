"""Bulk import: check-ins from a JSON Lines file, through the sync client (resumable).

Every line is one check-in's ``data`` object. The whole file is queued in the local
outbox in one local transaction, and the file's SHA-256 is remembered with it, so running
the same import again (after a crash, a lost connection or a Ctrl-C) only finishes
sending what is left: the server's idempotency keys make resending safe, and nothing is
queued twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sync.client import DrainReport, SyncClient


class ImportFileError(ValueError):
    """The file cannot be imported as it is; nothing was queued."""


@dataclass
class ImportResult:
    """What one run of an import did."""

    queued: int
    already_queued: bool
    report: DrainReport


def read_checkins(path: Path) -> list[dict[str, Any]]:
    """Each non-blank line's JSON object; ImportFileError names the first bad line."""
    checkins: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                raise ImportFileError(f"line {number}: not valid JSON") from None
            if not isinstance(data, dict):
                raise ImportFileError(f"line {number}: expected a check-in's data object")
            checkins.append(data)
    return checkins


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes: which import a local store has already queued."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_file(client: SyncClient, path: Path) -> ImportResult:
    """Queue the file's check-ins (once per store) and drain until the outbox is empty."""
    marker = f"import:{file_digest(path)}"
    queued = 0
    already = client.store.get_meta(marker) is not None
    if not already:
        checkins = read_checkins(path)
        with client.store.transaction() as db:
            for data in checkins:
                client.put(data)
            client.store.set_meta(marker, str(len(checkins)), db)
        queued = len(checkins)
    report = client.drain()
    return ImportResult(queued=queued, already_queued=already, report=report)
