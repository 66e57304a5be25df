"""The features the app factory wires in, in order (CONVENTIONS.md 2)."""

from __future__ import annotations

from types import ModuleType

from server import (
    accounts,
    api_docs,
    audit,
    checkins,
    demo,
    erasure,
    health,
    instruments,
    keys,
    scheduler,
    serving,
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
    demo,
    scheduler,
    web,
)
