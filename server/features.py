"""The features the app factory wires in, in order (CONVENTIONS.md 2)."""

from __future__ import annotations

from types import ModuleType

from server import (
    accounts,
    aggregation,
    api_docs,
    audit,
    checkins,
    demo,
    erasure,
    health,
    instruments,
    keys,
    peer,
    research,
    scheduler,
    serving,
    support,
    web,
)

FEATURES: tuple[ModuleType, ...] = (
    health,
    api_docs,
    serving,
    keys,
    audit,
    accounts,
    instruments,
    checkins,
    erasure,
    aggregation,
    peer,
    research,
    support,
    demo,
    scheduler,
    web,
)
