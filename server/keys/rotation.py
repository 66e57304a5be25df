"""Rotating and retiring key-encryption keys (DESIGN.md §5).

Rotation re-wraps data keys, never data: each person's data key is unwrapped with the
version that wraps it now and wrapped again under the current one, in committed batches,
so an interrupted rotation loses nothing and the next run finishes it. Retirement removes a
version from the key file once nothing is wrapped by it; with ``ALONGSIDE_KEYS`` Alongside
cannot write keys, so it re-wraps and tells the operator which versions to add or remove.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server import crypto, sealing
from server.keys.models import KeyRetirementDue, UserKey
from server.keys.source import KeySource

DEFAULT_BATCH_SIZE = 500

AfterBatch = Callable[[int], None]
Retire = Literal["none", "old", "erased"]


def _no_report(_rewrapped: int) -> None:
    """Batches are only reported by the command line."""


@dataclass
class RotationReport:
    """What a rotation did: the version it added (if any), re-wraps and retirements."""

    current: int
    added: int | None = None
    rewrapped: int = 0
    retired: list[int] = field(default_factory=list)
    # Versions the operator should remove from ALONGSIDE_KEYS (environment keys only).
    removable: list[int] = field(default_factory=list)


def wrapped_counts(session: Session) -> dict[int, int]:
    """How many data keys each KEK version wraps."""
    rows = session.execute(
        sa.select(UserKey.kek_version, sa.func.count()).group_by(UserKey.kek_version)
    )
    return {int(version): int(count) for version, count in rows}


def retirements_due(session: Session) -> dict[int, datetime]:
    """KEK versions that wrapped an erased person's data key and are not yet retired."""
    rows = session.scalars(sa.select(KeyRetirementDue).order_by(KeyRetirementDue.kek_version))
    return {row.kek_version: row.since for row in rows}


def note_retirement_due(session: Session, *, version: int, now: datetime) -> None:
    """Record that ``version`` must be retired (an erased data key was wrapped by it)."""
    if session.get(KeyRetirementDue, version) is None:
        session.add(KeyRetirementDue(kek_version=version, since=now))
        session.flush()


def rewrap_batch(session: Session, *, ring: crypto.KeyRing, batch_size: int, now: datetime) -> int:
    """Re-wrap up to ``batch_size`` data keys that are not under the current version."""
    query = (
        sa.select(UserKey)
        .where(UserKey.kek_version != ring.current)
        .order_by(UserKey.user_id)
        .limit(batch_size)
        .with_for_update()
    )
    rows = list(session.scalars(query))
    for row in rows:
        data_key = crypto.unwrap_data_key(
            ring, user_id=row.user_id, version=row.kek_version, wrapped=row.wrapped_key
        )
        row.kek_version, row.wrapped_key = crypto.wrap_data_key(
            ring, user_id=row.user_id, data_key=data_key
        )
        row.rewrapped_at = now
    session.flush()
    return len(rows)


def rewrap_all(
    session: Session,
    *,
    ring: crypto.KeyRing,
    batch_size: int,
    now: datetime,
    after_batch: AfterBatch = _no_report,
) -> int:
    """Re-wrap every data key under the current version, committing after each batch."""
    total = 0
    while True:
        done = rewrap_batch(session, ring=ring, batch_size=batch_size, now=now)
        session.commit()  # each batch is durable: an interruption loses at most one batch
        if not done:
            return total
        total += done
        after_batch(total)


def _retire(
    session: Session, *, source: KeySource, live: sealing.LiveKeyRing, version: int
) -> bool:
    """Retire one version; False when the source is read-only (the operator must)."""
    ring = source.load()
    if version not in ring.keys:
        raise crypto.KeyProblem(f"key version {version} is not in {source.description}")
    if version == ring.current:
        raise crypto.KeyProblem(f"key version {version} is current and cannot be retired")
    # Exclusive: no process may wrap a new data key under this version while it goes.
    sealing.hold_key_table(session, exclusive=True)
    still = wrapped_counts(session).get(version, 0)
    if still:
        session.rollback()
        raise crypto.KeyProblem(
            f"key version {version} still wraps {still} data key(s); "
            "run `alongside keys rotate` first"
        )
    if not source.writable:
        session.rollback()
        return False
    source.save(ring.without(version))  # written while the lock is held, then released
    session.execute(sa.delete(KeyRetirementDue).where(KeyRetirementDue.kek_version == version))
    session.commit()
    live.reload()
    return True


def retire(session: Session, *, source: KeySource, live: sealing.LiveKeyRing, version: int) -> bool:
    """Remove ``version`` from the key file; refuses while it is current or wraps anything.

    Returns False for environment keys, where the operator removes it from ALONGSIDE_KEYS.
    """
    with source.exclusive():
        return _retire(session, source=source, live=live, version=version)


def rotate(
    session: Session,
    *,
    source: KeySource,
    live: sealing.LiveKeyRing,
    now: datetime,
    batch_size: int = DEFAULT_BATCH_SIZE,
    retire: Retire = "none",
    after_batch: AfterBatch = _no_report,
) -> RotationReport:
    """Add a new current KEK (unless an interrupted rotation is being finished) and re-wrap.

    ``retire="old"`` then retires every other version; ``"erased"`` only versions up to the
    newest one that wrapped an erased data key (an older backup may hold it under any of them).
    Either way, a current version that wrapped an erased key is replaced first.
    """
    with source.exclusive():
        ring = source.load()
        unfinished = any(version != ring.current for version in wrapped_counts(session))
        due = [version for version in retirements_due(session) if version in ring.keys]
        must_replace = retire != "none" and bool(due) and ring.current <= max(due)
        report = RotationReport(current=ring.current)
        if source.writable and (must_replace or not unfinished):
            ring = ring.with_new_key()
            source.save(ring)  # durable before any data key is wrapped under it
            live.reload()
            report.added = report.current = ring.current
        report.rewrapped = rewrap_all(
            session, ring=ring, batch_size=batch_size, now=now, after_batch=after_batch
        )
        for version in _to_retire(ring, retire, due):
            if _retire(session, source=source, live=live, version=version):
                report.retired.append(version)
            else:
                report.removable.append(version)
        return report


def _to_retire(ring: crypto.KeyRing, retire: Retire, due: list[int]) -> list[int]:
    if retire == "none" or (retire == "erased" and not due):
        return []
    newest = max(due) if retire == "erased" else ring.current
    return [v for v in ring.versions if v != ring.current and v <= newest]


def prune_retirements_due(session: Session, *, ring: crypto.KeyRing) -> int:
    """Forget due retirements of versions no longer held (an operator removed them)."""
    result = session.execute(
        sa.delete(KeyRetirementDue).where(KeyRetirementDue.kek_version.not_in(ring.versions))
    )
    session.flush()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
