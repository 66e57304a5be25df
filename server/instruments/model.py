"""Instrument definitions as immutable values (DESIGN.md section 7).

The loader builds these from validated JSON; the scoring engine, the per-row
reference scorer and answer validation read them. Nothing here knows about
Flask, the database or numpy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

ResponseType = Literal["scale", "count", "yes_no", "choice"]
Method = Literal["sum", "mean"]
Direction = Literal["higher_is_better", "lower_is_better"]
TransformKind = Literal["identity", "linear", "lookup"]

# The change model's mechanisms (Gillard et al. 2015) plus the downstream outcome.
MECHANISMS = (
    "trusting_relationship",
    "role_modelling_recovery",
    "bridging_engagement",
    "wellbeing",
)

# Scores for the instrument-wide total are reported under this key, so no
# domain may use it as an id.
TOTAL = "total"


@dataclass(frozen=True)
class LabelledValue:
    """An anchor on a scale or an option of a choice item."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    """One question and the answers it accepts."""

    id: str
    text: str
    response_type: ResponseType
    minimum: int
    maximum: int
    domain: str
    anchors: tuple[LabelledValue, ...] = ()
    options: tuple[LabelledValue, ...] = ()
    unit: str | None = None
    reverse_keyed: bool = False
    optional: bool = False
    allow_not_applicable: bool = False
    not_applicable_label: str | None = None
    tags: tuple[str, ...] = ()

    @property
    def option_values(self) -> tuple[int, ...]:
        """The integer answers a choice item accepts, in listed order."""
        return tuple(option.value for option in self.options)

    @property
    def mechanism(self) -> str | None:
        """The change-model mechanism this item is tagged with, if any."""
        return next((tag for tag in self.tags if tag in MECHANISMS), None)


@dataclass(frozen=True)
class Transform:
    """Maps a raw domain score to the reported score."""

    kind: TransformKind = "identity"
    multiply: float = 1.0
    add: float = 0.0
    # (raw, score) pairs sorted by raw; only for kind == "lookup".
    table: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class Band:
    """A labelled range of scores, bounded above inclusively."""

    upper: float
    label: str


@dataclass(frozen=True)
class ReliableChange:
    """Jacobson-Truax parameters on the reported score's scale."""

    sd: float
    reliability: float
    provisional: bool
    source: str


@dataclass(frozen=True)
class DomainScoring:
    """How the items of one domain (or the total) become a score."""

    id: str
    label: str
    item_ids: tuple[str, ...]
    method: Method
    min_answered: int
    prorate: bool
    direction: Direction
    transform: Transform = field(default_factory=Transform)
    bands: tuple[Band, ...] = ()
    reliable_change: ReliableChange | None = None
    mechanism: str | None = None


@dataclass(frozen=True)
class Licence:
    """Terms under which the instrument's text may be used."""

    name: str
    terms: str
    url: str | None = None


@dataclass(frozen=True)
class Source:
    """Where the instrument comes from."""

    citation: str
    url: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class Instrument:
    """One version of one questionnaire, with its scoring rules."""

    id: str
    version: int
    title: str
    language: str
    licence: Licence
    source: Source
    recall_period: str | None
    default_cadence_days: int
    items: tuple[Item, ...]
    domains: tuple[DomainScoring, ...]
    total: DomainScoring | None = None
    instructions: str | None = None
    # The definition exactly as served to the web app, as canonical JSON text
    # so the frozen value cannot be mutated through a shared dict.
    canonical_json: str = field(default="{}", compare=False, repr=False)
    # Where the definition was read from, for error messages only.
    origin: str = field(default="", compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        """The (id, version) pair a check-in records."""
        return (self.id, self.version)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Item ids in column order."""
        return tuple(item.id for item in self.items)

    @property
    def scored(self) -> tuple[DomainScoring, ...]:
        """Every scored domain, then the total where one is defined."""
        return (*self.domains, self.total) if self.total is not None else self.domains

    def item(self, item_id: str) -> Item:
        """The item with this id (KeyError if none)."""
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def column(self, item_id: str) -> int:
        """The column of this item in a score matrix."""
        return self.item_ids.index(item_id)

    def definition(self) -> dict[str, Any]:
        """A fresh copy of the JSON definition, as served."""
        loaded: dict[str, Any] = json.loads(self.canonical_json)
        return loaded


def canonical_json(document: object) -> str:
    """Key-sorted, whitespace-free JSON: equal documents give equal text (and ETags)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
