"""Every instrument version the server knows: built-ins plus a site's plug-ins.

A site holding a licence for another scale drops its definition into the
instance folder's ``instruments/`` directory (DESIGN.md section 7); it loads
beside the built-ins at start-up. Every version stays loaded so a check-in is
always scored by the rules of the version it answered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from server.instruments.loader import (
    BUILTIN_DIRECTORY,
    InstrumentDefinitionError,
    Problem,
    read_directory,
)
from server.instruments.model import Instrument, canonical_json


class UnknownInstrumentError(LookupError):
    """No instrument with this id (and version) is registered."""


class InstrumentRegistry:
    """Instrument versions by (id, version), with the latest of each id."""

    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_key: dict[tuple[str, int], Instrument] = {}
        for instrument in instruments:
            earlier = self._by_key.get(instrument.key)
            if earlier is not None:
                problem = Problem(
                    "$.version",
                    f"{instrument.id!r} version {instrument.version} is already defined "
                    f"in {earlier.origin}",
                )
                raise InstrumentDefinitionError(instrument.origin, [problem])
            self._by_key[instrument.key] = instrument
        self._latest: dict[str, Instrument] = {}
        for instrument in sorted(self._by_key.values(), key=lambda i: i.key):
            self._latest[instrument.id] = instrument
        digest = hashlib.sha256(canonical_json(self.served()).encode("utf-8"))
        self._etag = digest.hexdigest()

    @classmethod
    def load(cls, plugin_directory: Path | None = None) -> InstrumentRegistry:
        """The built-ins plus every ``*.json`` in plugin_directory, if it exists."""
        instruments = read_directory(BUILTIN_DIRECTORY)
        if plugin_directory is not None and plugin_directory.exists():
            if not plugin_directory.is_dir():
                problem = Problem("$", "the instrument plug-in path must be a directory")
                raise InstrumentDefinitionError(str(plugin_directory), [problem])
            instruments += read_directory(plugin_directory)
        return cls(instruments)

    def get(self, instrument_id: str, version: int) -> Instrument:
        """The given version of an instrument."""
        try:
            return self._by_key[(instrument_id, version)]
        except KeyError:
            raise UnknownInstrumentError(f"{instrument_id} version {version}") from None

    def latest(self, instrument_id: str) -> Instrument:
        """The highest version of an instrument."""
        try:
            return self._latest[instrument_id]
        except KeyError:
            raise UnknownInstrumentError(instrument_id) from None

    def all_latest(self) -> list[Instrument]:
        """The latest version of every instrument, by id."""
        return [self._latest[instrument_id] for instrument_id in sorted(self._latest)]

    def versions(self, instrument_id: str) -> list[int]:
        """Every registered version of an instrument, ascending."""
        return sorted(version for (i, version) in self._by_key if i == instrument_id)

    def served(self) -> list[dict[str, Any]]:
        """What the web app renders: the latest definition of each instrument, by id."""
        return [self._latest[i].definition() for i in sorted(self._latest)]

    @property
    def etag(self) -> str:
        """SHA-256 hex of the canonical JSON of served(): changes exactly when it does."""
        return self._etag

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def __iter__(self) -> Iterator[Instrument]:
        return iter(sorted(self._by_key.values(), key=lambda i: i.key))

    def __len__(self) -> int:
        return len(self._by_key)
