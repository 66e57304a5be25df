"""A service user's download of everything stored about them (their right of access)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import Consent, User
from server.accounts.service import current_peer_worker
from server.audit import service as audit
from server.checkins.access import require_service_user
from server.checkins.models import Checkin
from server.checkins.versions import VERSION_COLUMNS, Version
from server.errors import NotFound
from server.sealing import session_keys

EXPORT_FORMAT = "alongside-export/1"


def export_own_data(session: Session, *, actor: Actor, now: datetime) -> dict[str, Any]:
    """The actor's account, consents and every live check-in with content and scores; audited."""
    require_service_user(actor)
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("No such account.")
    peer_worker = current_peer_worker(session, user.id)
    consents = session.scalars(
        sa.select(Consent).where(Consent.user_id == user.id).order_by(Consent.granted_at)
    )
    rows = session.execute(
        sa.select(*VERSION_COLUMNS)
        .where(Checkin.user_id == user.id, Checkin.deleted.is_(False))
        .order_by(Checkin.effective_at, Checkin.seq)
    ).all()
    keys = session_keys(session)
    checkins = [_exported(Version.from_row(row).open(keys)) for row in rows]
    audit.record(
        session,
        actor=actor.audit,
        action="checkins.export",
        subject_id=user.id,
        details={"checkins": len(checkins)},
        now=now,
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "account": {
            "id": str(user.id),
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role,
            "service": user.service.name if user.service else None,
            "peer_worker": peer_worker.username if peer_worker else None,
            "created_at": user.created_at.isoformat(),
        },
        "consents": [
            {
                "kind": consent.kind,
                "version": consent.version,
                "granted_at": consent.granted_at.isoformat(),
                "withdrawn_at": consent.withdrawn_at.isoformat() if consent.withdrawn_at else None,
            }
            for consent in consents
        ],
        "checkins": checkins,
    }


def _exported(version: Version) -> dict[str, Any]:
    pulled = version.pulled()
    del pulled["seq"], pulled["deleted"]  # sync bookkeeping, meaningless in a download
    return {**pulled, "effective_at": version.effective_at.isoformat()}
