"""The four change-model measures of a person, ready to draw (DESIGN.md §1, §11).

Read from the stored shared-view summary: latest value, which way it is going over
their recent shared check-ins, and a short series for a sparkline or a chart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.concerns.words import DOMAINS
from server.instruments.model import DomainScoring
from server.instruments.registry import InstrumentRegistry, UnknownInstrumentError
from server.instruments.scales import score_range

CASELOAD_POINTS = 8
# "Steady" unless the latest answer is this share of the scale away from their recent
# ones (1 point in 10, 10 in 100): smaller moves are everyday ups and downs.
STEADY_SHARE = 0.1
RECENT_POINTS = 3


def domains(
    document: Mapping[str, Any] | None,
    registry: InstrumentRegistry,
    *,
    points: int,
    detail: bool,
) -> list[dict[str, Any]]:
    """Trust, hope, connection and wellbeing, in that order, each always present."""
    measures: Mapping[str, Any] = (document or {}).get("measures") or {}
    found = []
    for name, instrument_id, domain, label in DOMAINS:
        key, entry = _newest(measures, instrument_id, domain)
        rule, low, high = _scale(registry, key, instrument_id, domain)
        series = [{"at": at, "value": value} for at, value in (entry.get("series") or [])]
        body: dict[str, Any] = {
            "domain": name,
            "label": label,
            "latest": entry.get("latest"),
            "latest_at": entry.get("latest_at"),
            "direction": direction([p["value"] for p in series], (high - low) * STEADY_SHARE),
            "better": "up",
            "scale": {"min": low, "max": high},
            "series": series[-points:],
        }
        if detail:
            body |= {
                "baseline": entry.get("baseline"),
                "baseline_at": entry.get("baseline_at"),
                "bands": [
                    {"upper": b.upper, "label": b.label} for b in (rule.bands if rule else ())
                ],
                "change_threshold": entry.get("reliable_change_threshold"),
            }
        found.append(body)
    return found


def direction(values: list[float], steady_within: float) -> str | None:
    """ "up", "down" or "steady": the latest value against the mean of the few before it."""
    if len(values) < 2:
        return None
    before = values[-1 - RECENT_POINTS : -1]
    change = values[-1] - sum(before) / len(before)
    if abs(change) < steady_within:
        return "steady"
    return "up" if change > 0 else "down"


def _newest(
    measures: Mapping[str, Any], instrument_id: str, domain: str
) -> tuple[str | None, Mapping[str, Any]]:
    """The entry of this measure in its most recently answered version."""
    found = [
        (entry.get("latest_at") or "", key, entry)
        for key, entry in measures.items()
        if key.partition("@")[0] == instrument_id and key.rpartition("/")[2] == domain
    ]
    if not found:
        return None, {}
    _, key, entry = max(found, key=lambda item: item[:2])
    return key, entry


def _scale(
    registry: InstrumentRegistry, key: str | None, instrument_id: str, domain: str
) -> tuple[DomainScoring | None, float, float]:
    try:
        instrument = (
            registry.get(instrument_id, int(key.partition("@")[2].partition("/")[0]))
            if key
            else registry.latest(instrument_id)
        )
    except (UnknownInstrumentError, ValueError):
        return None, 0.0, 10.0
    rule = next((r for r in instrument.scored if r.id == domain), None)
    if rule is None:
        return None, 0.0, 10.0
    low, high = score_range(instrument, rule)
    return rule, low, high
