"""A check-in's content: answers checked against their instruments, and scored on arrival.

Scoring runs once per instrument for a whole push (the engine is vectorised over
occasions), giving exactly what ``server.scoring.engine.score_one`` gives one by one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from server.instruments.answers import NOT_APPLICABLE, WHOLE_RESPONSE, validate_answers
from server.instruments.model import Instrument
from server.instruments.registry import InstrumentRegistry, UnknownInstrumentError
from server.scoring.engine import score_matrix

Response = Mapping[str, Any]  # {"instrument", "version", "answers"}, as sync.protocol loads it
Scores = dict[str, dict[str, Any]]  # domain id -> score_one's dict


def instrument_key(instrument_id: str, version: int) -> str:
    """How scores and the ``instruments`` column name an instrument version: ``who5@1``."""
    return f"{instrument_id}@{version}"


def check_responses(
    registry: InstrumentRegistry, responses: Sequence[Response]
) -> dict[str, list[str]]:
    """Field-level problems with a check-in's responses, keyed by dotted path ({} when valid)."""
    errors: dict[str, list[str]] = {}
    for position, response in enumerate(responses):
        base = f"data.responses.{position}"
        try:
            instrument = registry.get(response["instrument"], response["version"])
        except UnknownInstrumentError:
            known = registry.versions(response["instrument"])
            if not known:
                errors[f"{base}.instrument"] = ["unknown instrument"]
            else:
                listed = ", ".join(str(version) for version in known)
                errors[f"{base}.version"] = [f"unknown version; this server has {listed}"]
            continue
        for key, messages in validate_answers(instrument, response["answers"]).items():
            path = f"{base}.answers" if key == WHOLE_RESPONSE else f"{base}.answers.{key}"
            errors[path] = messages
    return errors


def instruments_label(responses: Sequence[Response]) -> str:
    """The ``instruments`` column: answered versions, space separated, in answer order."""
    return " ".join(instrument_key(r["instrument"], r["version"]) for r in responses)


def score_checkins(
    registry: InstrumentRegistry, checkins: Sequence[Sequence[Response]]
) -> list[dict[str, Scores]]:
    """Scores of many valid check-ins, each keyed by ``instrument@version`` in answer order."""
    results: list[dict[str, Scores]] = [
        {instrument_key(r["instrument"], r["version"]): {} for r in responses}
        for responses in checkins
    ]
    grouped: dict[tuple[str, int], list[tuple[int, Mapping[str, object]]]] = {}
    for index, responses in enumerate(checkins):
        for response in responses:
            key = (response["instrument"], response["version"])
            grouped.setdefault(key, []).append((index, response["answers"]))
    for (instrument_id, version), rows in grouped.items():
        instrument = registry.get(instrument_id, version)
        label = instrument_key(instrument_id, version)
        for (index, _), row_scores in zip(rows, _score_rows(instrument, rows), strict=True):
            results[index][label] = row_scores
    return results


def _score_rows(
    instrument: Instrument, rows: Sequence[tuple[int, Mapping[str, object]]]
) -> list[Scores]:
    values, not_applicable = _answer_matrix(instrument, [answers for _, answers in rows])
    matrix = score_matrix(instrument, values, not_applicable)
    scored: list[Scores] = [{} for _ in rows]
    for rule in instrument.scored:
        domain = matrix[rule.id]
        raw, score = domain.raw.tolist(), domain.score.tolist()
        band, answered = domain.band.tolist(), domain.answered.tolist()
        prorated, na = domain.prorated.tolist(), domain.not_applicable.tolist()
        labels = [band.label for band in rule.bands]
        for row in range(len(rows)):
            # The same fields, types and None-for-NaN as score_one's per-row answer
            # (x != x only for NaN; far cheaper than np.isnan on a Python float).
            raw_value, score_value, band_index = raw[row], score[row], band[row]
            scored[row][rule.id] = {
                "raw": None if raw_value != raw_value else raw_value,
                "score": None if score_value != score_value else score_value,
                "band": labels[band_index] if band_index >= 0 else None,
                "answered": answered[row],
                "prorated": prorated[row],
                "not_applicable": na[row],
            }
    return scored


def _answer_matrix(
    instrument: Instrument, responses: Sequence[Mapping[str, object]]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """``answers_to_matrix`` for answers check_responses already passed (so no second check)."""
    columns = {item_id: column for column, item_id in enumerate(instrument.item_ids)}
    values = np.full((len(responses), len(columns)), np.nan)
    not_applicable = np.zeros(values.shape, dtype=bool)
    for row, answers in enumerate(responses):
        for item_id, value in answers.items():
            if value is None:
                continue
            if value == NOT_APPLICABLE:
                not_applicable[row, columns[item_id]] = True
            else:
                values[row, columns[item_id]] = float(value)  # type: ignore[arg-type]
    return values, not_applicable
