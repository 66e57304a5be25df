"""The check-in service functions other code calls (routes, demo data, benchmarks, import).

Each takes a session and plain values, flushes, and leaves the commit to its caller
(CONVENTIONS.md 5-6).
"""

from __future__ import annotations

from server.checkins.envelope import read_push_envelope
from server.checkins.export import export_own_data
from server.checkins.pull import feed_position, pull_changes_json
from server.checkins.push import PushOutcome, push_changes

__all__ = [
    "PushOutcome",
    "export_own_data",
    "feed_position",
    "pull_changes_json",
    "push_changes",
    "read_push_envelope",
]
