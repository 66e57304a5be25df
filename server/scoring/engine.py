"""Score a whole matrix of responses at once (DESIGN.md section 7).

Input is an (occasions x items) float array, NaN where a question was skipped or
not applicable, plus a boolean mask of the not-applicable answers. Work is
vectorised over occasions; the only Python loops are over domains and items.

The classic traps, and how this module avoids them:
- ``np.nansum`` of a row with nothing answered is 0, not missing: sums are taken
  over answered cells and then masked by the answered count, never trusted alone.
- ``np.searchsorted`` places NaN after every bound: missing scores are masked out
  of the band lookup explicitly.
- A lookup table only maps whole raw scores: anything else is refused (NaN and a
  ``refused`` flag), never rounded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from server.instruments.answers import answers_to_row
from server.instruments.model import Band, DomainScoring, Instrument, Transform

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class DomainScores:
    """Scores of one domain (or the total) for every occasion; arrays are read-only."""

    raw: FloatArray  # before the transform; NaN when not scorable
    score: FloatArray  # after the transform; NaN when not scorable or refused
    band: IntArray  # index into the rule's bands; -1 for no band or no score
    answered: IntArray  # items with a value (neither skipped nor not applicable)
    not_applicable: BoolArray  # no score because the answers given were all "not applicable"
    prorated: BoolArray  # scored from fewer than all of the domain's items
    refused: BoolArray  # a raw score the lookup table could not map (not whole, or absent)


@dataclass(frozen=True)
class MatrixScores:
    """Every scored domain of one instrument version, keyed by domain id (and "total")."""

    instrument_id: str
    instrument_version: int
    domains: Mapping[str, DomainScores]

    def __getitem__(self, domain_id: str) -> DomainScores:
        return self.domains[domain_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self.domains)


def score_matrix(instrument: Instrument, values: ArrayLike, na_mask: ArrayLike) -> MatrixScores:
    """Score every occasion (row) of an (occasions x items) matrix for every domain."""
    matrix = np.asarray(values, dtype=np.float64)
    not_applicable = np.asarray(na_mask, dtype=bool)
    expected = len(instrument.items)
    if matrix.ndim != 2 or matrix.shape[1] != expected:
        raise ValueError(f"values must have shape (occasions, {expected}), not {matrix.shape}")
    if not_applicable.shape != matrix.shape:
        raise ValueError(f"na_mask shape {not_applicable.shape} differs from {matrix.shape}")
    domains = {
        rule.id: _score_rule(instrument, rule, matrix, not_applicable) for rule in instrument.scored
    }
    return MatrixScores(instrument.id, instrument.version, domains)


def score_one(instrument: Instrument, answers: Mapping[str, object]) -> dict[str, dict[str, Any]]:
    """JSON-able scores of one check-in's answers, sealed with the check-in on arrival."""
    values, not_applicable = answers_to_row(instrument, answers)
    scores = score_matrix(instrument, values[np.newaxis, :], not_applicable[np.newaxis, :])
    return {rule.id: _one_row(rule, scores[rule.id]) for rule in instrument.scored}


def band_label(rule: DomainScoring, band: int) -> str | None:
    """The label of a band index from score_matrix, or None for -1."""
    return rule.bands[band].label if band >= 0 else None


def _one_row(rule: DomainScoring, scores: DomainScores) -> dict[str, Any]:
    raw, score = float(scores.raw[0]), float(scores.score[0])
    return {
        "raw": None if np.isnan(raw) else raw,
        "score": None if np.isnan(score) else score,
        "band": band_label(rule, int(scores.band[0])),
        "answered": int(scores.answered[0]),
        "prorated": bool(scores.prorated[0]),
        "not_applicable": bool(scores.not_applicable[0]),
    }


def _score_rule(
    instrument: Instrument, rule: DomainScoring, matrix: FloatArray, na_mask: BoolArray
) -> DomainScores:
    columns = [instrument.column(item_id) for item_id in rule.item_ids]
    keyed = matrix[:, columns]  # fancy indexing copies, so reverse-keying below is local
    marked_na = na_mask[:, columns]
    for position, item_id in enumerate(rule.item_ids):
        item = instrument.item(item_id)
        if item.reverse_keyed:
            keyed[:, position] = (item.minimum + item.maximum) - keyed[:, position]
    # A cell marked not applicable never counts, whatever number sits under it.
    present = ~np.isnan(keyed) & ~marked_na
    answered = present.sum(axis=1, dtype=np.int64)
    total = np.where(present, keyed, 0.0).sum(axis=1)

    item_count = len(columns)
    needed = rule.min_answered if rule.prorate else item_count
    scorable = answered >= needed
    raw = np.full(len(matrix), np.nan)
    if rule.method == "mean":
        np.divide(total, answered, out=raw, where=scorable)
    elif rule.prorate:
        # total * n / answered rather than mean * n: a prorated sum that is a
        # whole number comes out exactly whole, so a lookup table can take it.
        np.divide(total * item_count, answered, out=raw, where=scorable)
    else:
        np.copyto(raw, total, where=scorable)

    score, refused = _transform(rule.transform, raw)
    return _frozen(
        DomainScores(
            raw=raw,
            score=score,
            band=_band_index(rule.bands, score),
            answered=answered,
            not_applicable=~scorable & (answered == 0) & marked_na.any(axis=1),
            prorated=scorable & (answered < item_count),
            refused=refused,
        )
    )


def _transform(transform: Transform, raw: FloatArray) -> tuple[FloatArray, BoolArray]:
    if transform.kind == "identity":
        return raw.copy(), np.zeros(raw.shape, dtype=bool)
    if transform.kind == "linear":
        return raw * transform.multiply + transform.add, np.zeros(raw.shape, dtype=bool)
    keys = np.array([entry[0] for entry in transform.table], dtype=np.int64)
    lowest, highest = int(keys.min()), int(keys.max())
    # A dense table from lowest to highest; NaN marks gaps a plug-in left out.
    dense = np.full(highest - lowest + 1, np.nan)
    dense[keys - lowest] = [entry[1] for entry in transform.table]
    scored = ~np.isnan(raw)
    usable = scored & (raw == np.floor(raw)) & (raw >= lowest) & (raw <= highest)
    offsets = np.where(usable, raw - lowest, 0).astype(np.intp)
    score = np.where(usable, dense[offsets], np.nan)
    return score, scored & np.isnan(score)


def _band_index(bands: tuple[Band, ...], score: FloatArray) -> IntArray:
    if not bands:
        return np.full(score.shape, -1, dtype=np.int64)
    uppers = np.array([band.upper for band in bands])
    # side="left": the first band whose inclusive upper bound is >= the score.
    index = np.searchsorted(uppers, score, side="left").astype(np.int64)
    return np.where(np.isnan(score) | (index == len(uppers)), -1, index)


def _frozen(scores: DomainScores) -> DomainScores:
    for array in vars(scores).values():
        array.flags.writeable = False
    return scores
