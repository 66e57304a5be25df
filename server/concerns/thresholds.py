"""Very low answers: each service's thresholds for an urgent concern (DESIGN.md §11).

A shared check-in with any scored measure at or past its threshold raises "needs a
conversation soon" on the very first check-in, with no history needed. Thresholds
are configuration, per service, on scores (never on notes, which are never read):

    [services."Riverside Peer Support".urgent]
    "who5/wellbeing" = { at_most = 28 }      # raw 7 or under of 25, times 4
    "ons-loneliness/loneliness" = { at_least = 4 }

A service that sets none uses DEFAULT_URGENT. The phone's own "this sounds like a
hard time" panel follows the same thresholds.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.concerns.rules import LowCheckin, iso_second
from server.concerns.words import change_model_rank, split_key

if TYPE_CHECKING:
    from server.aggregation.loading import ScoredCheckins

DEFAULT_URGENT: dict[str, dict[str, float]] = {
    "who5/wellbeing": {"at_most": 28},  # WHO-5 raw score 7 or under (of 25)
    "alongside-checkin/hope": {"at_most": 1},
    "alongside-checkin/trust": {"at_most": 1},
    "ons-loneliness/loneliness": {"at_least": 4},  # "often/always"
}


@dataclass(frozen=True)
class Threshold:
    """A score at or below ``at_most`` (or at or above ``at_least``) is very low."""

    measure: str  # "instrument/domain", any version
    at_most: float | None = None
    at_least: float | None = None

    def crossed(self, score: float) -> bool:
        """Whether this score is past the threshold."""
        if self.at_most is not None and score <= self.at_most:
            return True
        return self.at_least is not None and score >= self.at_least


Thresholds = tuple[Threshold, ...]


def parse_thresholds(raw: Mapping[str, Any], where: str) -> Thresholds:
    """Thresholds from configuration; ValueError naming ``where`` if they are malformed."""
    found = []
    for measure, bounds in raw.items():
        instrument, domain = split_key(str(measure))
        if not instrument or not domain or not isinstance(bounds, Mapping):
            raise ValueError(
                f'{where}: {measure!r} must be "instrument/domain" = {{ at_most = N }}'
            )
        unknown = set(bounds) - {"at_most", "at_least"}
        values = [bounds.get("at_most"), bounds.get("at_least")]
        usable = [v for v in values if v is not None]
        if unknown or not usable or not all(_is_number(v) for v in usable):
            raise ValueError(f"{where}: {measure!r} takes at_most and/or at_least, as numbers")
        found.append(Threshold(f"{instrument}/{domain}", values[0], values[1]))
    return tuple(found)


def service_thresholds(services: Mapping[str, Any], service_name: str | None) -> Thresholds:
    """The service's thresholds, or the defaults where it sets none."""
    settings = services.get(service_name or "") or {}
    raw = settings.get("urgent") or DEFAULT_URGENT
    return parse_thresholds(raw, f"services.{service_name}.urgent")


def validate_services(services: Any) -> None:
    """Refuse to start with malformed per-service settings (a clear message, not a crash later)."""
    if not isinstance(services, Mapping):
        raise ValueError("SERVICES must be a table of services")
    parse_thresholds(DEFAULT_URGENT, "defaults")
    for name, settings in services.items():
        if not isinstance(settings, Mapping):
            raise ValueError(f"services.{name} must be a table")
        if "urgent" in settings:
            parse_thresholds(settings["urgent"] or {}, f"services.{name}.urgent")


def low_checkins(
    loaded: ScoredCheckins,
    thresholds: Sequence[Thresholds],
    labels: Mapping[str, str],
    since: float,
) -> dict[uuid.UUID, LowCheckin]:
    """Each person's most recent shared check-in after ``since`` with a very low answer.

    ``thresholds[i]`` are person i's (by their service); ``labels`` names each measure key.
    """
    crossed: dict[tuple[int, float], list[str]] = {}
    for key, (rows, scores) in loaded.measures.items():
        instrument, domain = split_key(key)
        measure = f"{instrument}/{domain}"
        # Most rows are old or private: pick the recent shared ones in numpy first.
        keep = loaded.shared[rows] & (loaded.time[rows] > since)
        people = loaded.person[rows[keep]].tolist()
        times = loaded.time[rows[keep]].tolist()
        for person, at, score in zip(people, times, scores[keep].tolist(), strict=True):
            if any(t.measure == measure and t.crossed(score) for t in thresholds[person]):
                crossed.setdefault((person, at), []).append(key)
    latest: dict[int, tuple[float, list[str]]] = {}
    for (person, at), keys in crossed.items():
        if person not in latest or at > latest[person][0]:
            latest[person] = (at, keys)
    return {
        loaded.user_ids[person]: LowCheckin(
            at=iso_second(at),
            measures=tuple(
                (key, labels.get(key, key))
                for key in sorted(keys, key=lambda k: (change_model_rank(k), k))
            ),
        )
        for person, (at, keys) in latest.items()
    }


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
