"""Concerns from a batch of freshly computed summaries (called by the summary jobs).

``find_concerns`` only reads, so the jobs run it with the batch's computation, outside
the write lock; ``raise_concerns`` (server/concerns/service.py) then stores them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.orm import Session

from server.accounts.models import Service, User
from server.aggregation.measure_key import MeasureKey, measure_rule
from server.aggregation.service import SummaryBatch
from server.concerns.rules import EVENT_WINDOW, Candidate, candidates, iso_second
from server.concerns.thresholds import low_checkins, service_thresholds
from server.instruments.registry import InstrumentRegistry


@dataclass(frozen=True)
class FoundConcerns:
    """Each person's candidates now, and their shared check-ins' times (see raise_concerns)."""

    found: dict[uuid.UUID, list[Candidate]]
    shared_times: dict[uuid.UUID, set[str]]


def find_concerns(
    session: Session,
    *,
    batch: SummaryBatch,
    registry: InstrumentRegistry,
    services: Mapping[str, Any],
    now: datetime,
) -> FoundConcerns:
    """What the rules find for the batch's people, by their service's thresholds."""
    loaded = batch.loaded
    if not loaded.user_ids:
        return FoundConcerns({}, {})
    service_of = _service_names(session, loaded.user_ids)
    thresholds = [service_thresholds(services, service_of.get(uid)) for uid in loaded.user_ids]
    labels = {key: measure_rule(registry, MeasureKey.parse(key)).label for key in loaded.measures}
    lows = low_checkins(loaded, thresholds, labels, since=(now - EVENT_WINDOW).timestamp())
    shared = batch.shared
    found = {
        user_id: candidates(shared.get(user_id), lows.get(user_id), now)
        for user_id in loaded.user_ids
    }
    return FoundConcerns(found, _shared_times(batch))


def _service_names(session: Session, user_ids: tuple[uuid.UUID, ...]) -> dict[uuid.UUID, str]:
    statement = (
        sa.select(User.id, Service.name)
        .join(Service, Service.id == User.service_id)
        .where(User.id.in_(user_ids))
    )
    return dict(session.execute(statement).all())


def _shared_times(batch: SummaryBatch) -> dict[uuid.UUID, set[str]]:
    """Each person's shared check-ins' effective times, to the second as documents hold them."""
    loaded = batch.loaded
    found: dict[uuid.UUID, set[str]] = {user_id: set() for user_id in loaded.user_ids}
    rows = np.flatnonzero(loaded.shared)
    for person, seconds in zip(
        loaded.person[rows].tolist(), loaded.time[rows].tolist(), strict=True
    ):
        found[loaded.user_ids[person]].add(iso_second(seconds))
    return found
