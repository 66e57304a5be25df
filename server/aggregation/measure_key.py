"""Names for a measure: one scored domain of one instrument version, e.g. ``who5@1/wellbeing``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.instruments.model import DomainScoring
from server.instruments.registry import InstrumentRegistry

# Identifiers follow the instrument schema's "identifier" pattern.
MEASURE_KEY = re.compile(r"^([a-z][a-z0-9_-]{0,63})@([1-9][0-9]{0,5})/([a-z][a-z0-9_-]{0,63})$")


@dataclass(frozen=True, order=True)
class MeasureKey:
    """An instrument id, its version and one of its scored domains (or "total")."""

    instrument_id: str
    version: int
    domain: str

    @classmethod
    def parse(cls, text: str) -> MeasureKey:
        """Read ``instrument@version/domain``; ValueError if it is not one."""
        match = MEASURE_KEY.match(text)
        if match is None:
            raise ValueError(f"not a measure key (instrument@version/domain): {text!r}")
        return cls(match[1], int(match[2]), match[3])

    def __str__(self) -> str:
        return f"{self.instrument_id}@{self.version}/{self.domain}"


def measure_rule(registry: InstrumentRegistry, key: MeasureKey) -> DomainScoring:
    """The scoring rule of this measure, from the version of the instrument it names."""
    instrument = registry.get(key.instrument_id, key.version)
    for rule in instrument.scored:
        if rule.id == key.domain:
            return rule
    raise KeyError(f"{key}: {instrument.id} version {instrument.version} has no such domain")
