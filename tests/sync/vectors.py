"""Replaying sync/vectors/*.json: placeholders, captures and matching as PROTOCOL.md says."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[2] / "sync" / "vectors"
_TOKEN = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_TYPE_CHECKS = {
    "$any": lambda value: True,
    "$uuid": lambda value: isinstance(value, str) and _is_uuid(value),
    "$datetime": lambda value: isinstance(value, str) and _is_aware_time(value),
    "$int": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "$string": lambda value: isinstance(value, str),
}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _is_aware_time(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


def vector_files() -> list[Path]:
    """Every vector file, in name order."""
    return sorted(VECTORS.glob("*.json"))


def load_vector(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


class Mismatch(AssertionError):
    """The server's answer differs from the vector's expectation."""


class Replay:
    """The saved values of one replay: ``$device``, ``$device2`` and every ``$save:NAME``."""

    def __init__(self) -> None:
        self.saved: dict[str, Any] = {"device": str(uuid.uuid4()), "device2": str(uuid.uuid4())}

    def fill(self, value: Any) -> Any:
        """A request with ``$NAME`` replaced by saved values (whole values and inside strings)."""
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        if isinstance(value, str) and value.startswith("$") and value[1:] in self.saved:
            return self.saved[value[1:]]
        if isinstance(value, str):
            return _TOKEN.sub(lambda m: str(self.saved.get(m.group(1), m.group(0))), value)
        return value

    def match(self, expected: Any, actual: Any, where: str = "body") -> None:
        """Check ``actual`` against ``expected``; raises Mismatch naming the first difference."""
        if isinstance(expected, str) and expected.startswith("$"):
            self._match_placeholder(expected, actual, where)
        elif isinstance(expected, dict):
            if not isinstance(actual, dict):
                raise Mismatch(f"{where}: expected an object, got {actual!r}")
            for key, item in expected.items():
                if key not in actual:
                    raise Mismatch(f"{where}.{key}: missing (keys: {sorted(actual)})")
                self.match(item, actual[key], f"{where}.{key}")
        elif isinstance(expected, list):
            if not isinstance(actual, list) or len(actual) != len(expected):
                got = len(actual) if isinstance(actual, list) else actual
                raise Mismatch(f"{where}: expected {len(expected)} items, got {got!r}")
            for index, (item, value) in enumerate(zip(expected, actual, strict=True)):
                self.match(item, value, f"{where}.{index}")
        elif type(expected) is not type(actual) or expected != actual:
            raise Mismatch(f"{where}: expected {expected!r}, got {actual!r}")

    def _match_placeholder(self, expected: str, actual: Any, where: str) -> None:
        if expected.startswith("$save:"):
            self.saved[expected.removeprefix("$save:")] = actual
            return
        check = _TYPE_CHECKS.get(expected)
        if check is not None:
            if not check(actual):
                raise Mismatch(f"{where}: expected {expected}, got {actual!r}")
            return
        name = expected[1:]
        if name not in self.saved:
            raise Mismatch(f"{where}: {expected} was never saved")
        if self.saved[name] != actual:
            raise Mismatch(f"{where}: expected {expected} = {self.saved[name]!r}, got {actual!r}")
