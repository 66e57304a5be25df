"""What every exported column and measure means, and the manifest of how an export was made.

The codebook is built from the instrument definitions themselves (DESIGN.md
section 7), so a measure's licence, scoring and units are never retyped by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from importlib import metadata
from typing import Any

from server.aggregation.measure_key import MeasureKey, measure_rule
from server.instruments.model import DomainScoring, Instrument
from server.instruments.registry import InstrumentRegistry
from server.instruments.scales import score_range
from server.research.disclosure import ALL_SERVICES, DECIMALS, ROUND_TO

EXPORT_FORMAT = 1

AGGREGATE_COLUMNS: dict[str, str] = {
    "service": f"Peer support service, or '{ALL_SERVICES}' for the total of every service.",
    "period": "ISO 8601 week (2026-W47, Monday to Sunday, UTC) or calendar month (2026-11, UTC).",
    "measure": "instrument@version/domain; see 'measures' for its instrument, scoring and units.",
    "n": f"Distinct people with a score in the period, rounded to the nearest {ROUND_TO}.",
    "mean": "Mean over people of each person's own mean score in the period.",
    "sd": "Sample standard deviation (n - 1) of the person means.",
    "median": "Median of the person means.",
    "q1": "First quartile of the person means (Hyndman and Fan type 7, as R and numpy).",
    "q3": "Third quartile of the person means (type 7).",
    "suppressed": "true when the row is withheld by disclosure control; its statistics are empty.",
}
ASSOCIATION_COLUMNS: dict[str, str] = {
    "service": "Peer support service.",
    "process": "Process measure of the change model (trust, hope, engagement).",
    "wellbeing": "Wellbeing measure.",
    "people": f"People with at least two periods scoring both measures, rounded to {ROUND_TO}.",
    "observations": f"Person-periods scoring both measures, rounded to {ROUND_TO}.",
    "r": "Repeated-measures correlation (Bakdash and Marusich 2017): within-person association "
    "of the person's period means, free of differences between people.",
    "ci_low": "Lower bound of the 95% confidence interval (Fisher z, SE 1/sqrt(df - 1)).",
    "ci_high": "Upper bound of the 95% confidence interval.",
    "suppressed": "true when the row is withheld by disclosure control; its statistics are empty.",
}


def codebook(*, registry: InstrumentRegistry, measures: Sequence[str]) -> dict[str, Any]:
    """Columns of both tables and, per measure, its instrument, licence, scoring and units."""
    described = {}
    for text in measures:
        key = MeasureKey.parse(text)
        instrument = registry.get(key.instrument_id, key.version)
        rule = measure_rule(registry, key)
        described[text] = _measure_entry(instrument, rule)
    return {
        "aggregates": AGGREGATE_COLUMNS,
        "associations": ASSOCIATION_COLUMNS,
        "measures": described,
        "precision": f"Every statistic is rounded to {DECIMALS} decimals.",
    }


def manifest(
    *,
    granularity: str,
    k: int,
    consent_version: str,
    computed_at: datetime,
    periods: Sequence[str],
    measures: Sequence[str],
    services: int,
) -> dict[str, Any]:
    """The parameters an export was computed with, for anyone repeating or auditing it."""
    return {
        "format": EXPORT_FORMAT,
        "software": "alongside",
        "software_version": _version(),
        "computed_at": computed_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "period": granularity,
        "periods": list(periods),
        "measures": list(measures),
        "services": services,
        "consent_version": consent_version,
        "population": "people with current research consent (version "
        f"{consent_version}) at computation; shared and unshared check-ins alike",
        "disclosure_control": {
            "min_cell_people": k,
            "counts_rounded_to": ROUND_TO,
            "totals": "computed from unrounded data, then rounded",
            "complementary_suppression": "within each period and measure, until the suppressed "
            "service cells together hold no one or at least min_cell_people",
            "minimum_maximum": "never published",
            "decimals": DECIMALS,
        },
    }


def _measure_entry(instrument: Instrument, rule: DomainScoring) -> dict[str, Any]:
    low, high = score_range(instrument, rule)
    licence = instrument.licence
    return {
        "label": rule.label,
        "instrument": instrument.title,
        "instrument_id": instrument.id,
        "instrument_version": instrument.version,
        "licence": {"name": licence.name, "url": licence.url, "terms": licence.terms},
        "citation": instrument.source.citation,
        "mechanism": rule.mechanism,
        "scoring": _scoring_text(rule),
        "direction": rule.direction.replace("_", " "),
        "units": f"score points, {low:g} to {high:g}",
        "recall_period": instrument.recall_period,
    }


def _scoring_text(rule: DomainScoring) -> str:
    items = len(rule.item_ids)
    parts = [f"{rule.method} of {items} item{'s' if items != 1 else ''}"]
    if rule.prorate and rule.min_answered < items:
        parts.append(f"scored with at least {rule.min_answered} answered (prorated)")
    else:
        parts.append("every item needed")
    if rule.transform.kind == "linear":
        parts.append(f"x {rule.transform.multiply:g} + {rule.transform.add:g}")
    elif rule.transform.kind == "lookup":
        parts.append("converted by the instrument's lookup table")
    return "; ".join(parts)


def _version() -> str:
    try:
        return metadata.version("alongside")
    except metadata.PackageNotFoundError:
        return "unknown"
