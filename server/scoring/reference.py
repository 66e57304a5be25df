"""A plain, one-row-at-a-time scorer: the specification the vectorised engine is tested against.

Written to be obviously right rather than fast, and deliberately sharing no code
with engine.py. Used only by tests and the benchmark.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from server.instruments.model import DomainScoring, Instrument, Transform
from server.scoring.engine import DomainScores, MatrixScores


@dataclass(frozen=True)
class RowScore:
    """One domain's score for one occasion."""

    raw: float
    score: float
    band: int
    answered: int
    not_applicable: bool
    prorated: bool
    refused: bool


def reference_score_row(
    instrument: Instrument, values: Sequence[float], not_applicable: Sequence[bool]
) -> dict[str, RowScore]:
    """Score one occasion, domain by domain, with plain Python arithmetic."""
    return {
        rule.id: _score_rule(instrument, rule, values, not_applicable) for rule in instrument.scored
    }


def reference_score_matrix(
    instrument: Instrument, values: ArrayLike, na_mask: ArrayLike
) -> MatrixScores:
    """Score every row with reference_score_row and stack the results like score_matrix."""
    rows = np.asarray(values, dtype=np.float64).tolist()
    masks = np.asarray(na_mask, dtype=bool).tolist()
    scored = [
        reference_score_row(instrument, row, mask) for row, mask in zip(rows, masks, strict=True)
    ]
    domains = {}
    for rule in instrument.scored:
        column = [row[rule.id] for row in scored]
        domains[rule.id] = DomainScores(
            raw=np.array([s.raw for s in column], dtype=np.float64),
            score=np.array([s.score for s in column], dtype=np.float64),
            band=np.array([s.band for s in column], dtype=np.int64),
            answered=np.array([s.answered for s in column], dtype=np.int64),
            not_applicable=np.array([s.not_applicable for s in column], dtype=bool),
            prorated=np.array([s.prorated for s in column], dtype=bool),
            refused=np.array([s.refused for s in column], dtype=bool),
        )
    return MatrixScores(instrument.id, instrument.version, domains)


def _score_rule(
    instrument: Instrument,
    rule: DomainScoring,
    values: Sequence[float],
    not_applicable: Sequence[bool],
) -> RowScore:
    answers: list[float] = []
    any_not_applicable = False
    for item_id in rule.item_ids:
        column = instrument.item_ids.index(item_id)
        if not_applicable[column]:
            any_not_applicable = True
            continue
        value = values[column]
        if math.isnan(value):
            continue
        item = instrument.item(item_id)
        answers.append(item.minimum + item.maximum - value if item.reverse_keyed else value)

    item_count = len(rule.item_ids)
    enough = len(answers) >= rule.min_answered if rule.prorate else len(answers) == item_count
    raw = math.nan
    if enough:
        total = 0.0
        for answer in answers:
            total += answer
        if rule.method == "mean":
            raw = total / len(answers)
        elif rule.prorate:
            raw = total * item_count / len(answers)
        else:
            raw = total
    score, refused = _transform(rule.transform, raw)
    band = -1
    for index, candidate in enumerate(rule.bands):
        if score <= candidate.upper:  # False for NaN, so a missing score has no band
            band = index
            break
    return RowScore(
        raw=raw,
        score=score,
        band=band,
        answered=len(answers),
        not_applicable=not enough and not answers and any_not_applicable,
        prorated=enough and len(answers) < item_count,
        refused=refused,
    )


def _transform(transform: Transform, raw: float) -> tuple[float, bool]:
    if math.isnan(raw):
        return math.nan, False
    if transform.kind == "linear":
        return raw * transform.multiply + transform.add, False
    if transform.kind == "lookup":
        table = dict(transform.table)
        if raw.is_integer() and int(raw) in table:
            return table[int(raw)], False
        return math.nan, True
    return raw, False
