"""What ``GET /api/v1/support`` answers: help contacts and very-low thresholds for a service."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.actor import Actor
from server.accounts.models import Service
from server.concerns.thresholds import Thresholds, service_thresholds
from server.support.contacts import service_contacts


def help_for(
    session: Session, *, actor: Actor | None, services: Mapping[str, Any]
) -> dict[str, Any]:
    """The help for the actor's service; the national defaults when anonymous or serviceless."""
    service_name = None
    if actor is not None and actor.service_id is not None:
        service_name = session.scalar(sa.select(Service.name).where(Service.id == actor.service_id))
    return {
        "service": service_name,
        "contacts": [asdict(contact) for contact in service_contacts(services, service_name)],
        "urgent": urgent_bounds(service_thresholds(services, service_name)),
    }


def urgent_bounds(thresholds: Thresholds) -> dict[str, dict[str, float]]:
    """Thresholds as measure -> {at_most?, at_least?}, leaving out a bound that is not set."""
    found: dict[str, dict[str, float]] = {}
    for threshold in thresholds:
        bounds = {"at_most": threshold.at_most, "at_least": threshold.at_least}
        found[threshold.measure] = {name: v for name, v in bounds.items() if v is not None}
    return found


def help_tag(found: Mapping[str, Any]) -> str:
    """An ETag for the help document: it changes only when what is shown changes."""
    canonical = json.dumps(found, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]
