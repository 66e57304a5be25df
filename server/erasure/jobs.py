"""After erasures: rotate the KEK and retire the versions that wrapped erased data keys.

A backup from before an erasure still holds the person's wrapped data key; once every KEK
version that could unwrap it is retired, that backup cannot open their data (DESIGN.md §5).
Erasures are gathered for ``ERASURE_ROTATION_HOURS`` so one rotation covers many.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from server import crypto, sealing
from server.keys import rotation
from server.keys.source import EnvironmentKeySource, KeyFileSource

log = logging.getLogger(__name__)


def rotate_after_erasures(session: Session, *, now: datetime, wait: timedelta) -> dict[str, int]:
    """Retire every version that wrapped an erased key once the oldest waited ``wait``."""
    live = sealing.live_keyring_for(session)
    source = live.source
    if not isinstance(source, KeyFileSource | EnvironmentKeySource):
        raise crypto.KeyProblem("this engine's keys have no rotatable source")
    ring = live.refresh()
    pruned = rotation.prune_retirements_due(session, ring=ring)
    session.commit()
    due = rotation.retirements_due(session)
    if not due or min(due.values()) > now - wait:
        return {"pending_versions": len(due), "retired": 0, "rewrapped": 0, "pruned": pruned}
    report = rotation.rotate(session, source=source, live=live, now=now, retire="erased")
    still = sorted(v for v in rotation.retirements_due(session) if v in live.ring.keys)
    if still:
        # Environment keys: only the operator can add a version or remove old ones.
        log.warning(
            "key version(s) %s wrapped erased data keys and are still configured; "
            "ALONGSIDE_KEYS is read-only to Alongside: add a newer version, restart, run "
            "`alongside keys rotate --retire-old`, then remove the old versions",
            ", ".join(str(v) for v in still),
        )
    return {
        "pending_versions": len(still),
        "retired": len(report.retired),
        "rewrapped": report.rewrapped,
        "pruned": pruned,
    }
