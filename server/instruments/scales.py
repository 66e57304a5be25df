"""The range a scored domain can take, from its items and transform."""

from __future__ import annotations

from server.instruments.model import DomainScoring, Instrument


def score_range(instrument: Instrument, rule: DomainScoring) -> tuple[float, float]:
    """Lowest and highest score of this domain (after any transform)."""
    items = [instrument.item(item_id) for item_id in rule.item_ids]
    if rule.method == "mean":
        low, high = float(min(i.minimum for i in items)), float(max(i.maximum for i in items))
    else:
        low, high = float(sum(i.minimum for i in items)), float(sum(i.maximum for i in items))
    transform = rule.transform
    if transform.kind == "linear":
        ends = sorted(
            (low * transform.multiply + transform.add, high * transform.multiply + transform.add)
        )
        return ends[0], ends[1]
    if transform.kind == "lookup":
        values = [score for _, score in transform.table]
        return min(values), max(values)
    return low, high
