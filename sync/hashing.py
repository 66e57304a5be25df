"""The canonical SHA-256 of a change: what "identical content" means (sync/PROTOCOL.md).

The hash covers ``{id, op, base_rev, changed_at, data}`` exactly as the client sent them
(absent keys count as ``null``), as JSON with keys sorted and no whitespace. The server
keeps it beside each ``change_id`` so a replay can be told from a reuse of the id.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

HASHED_FIELDS = ("id", "op", "base_rev", "changed_at", "data")


# One encoder for every call: json.dumps with options builds a new one each time. Parsed
# JSON holds no cycles, and the cycle check costs half the encoding; the text is the same.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
)


def canonical_json(value: Any) -> str:
    """Key-sorted, whitespace-free JSON; non-ASCII kept as is (as JavaScript's JSON does)."""
    return _CANONICAL.encode(value)


def change_payload(change: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a change the hash covers, absent keys as ``None``."""
    return {name: change.get(name) for name in HASHED_FIELDS}


def change_hash(change: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical JSON of the change's hashed fields."""
    text = canonical_json(change_payload(change))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
