"""Check one response's answers against its instrument, and turn them into a score row.

Answers arrive from phones as ``{item_id: value}``:

- a whole number for scale, count and choice items (``3``, never ``3.0`` or ``"3"``);
- ``true`` / ``false`` for yes/no items (and only for them);
- ``"na"`` for "not applicable", only where the item allows it;
- ``null`` or an absent key for a skipped question.

JSON booleans arrive as Python ``bool``, which is a subclass of ``int``, so every
integer check below rules booleans out explicitly.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from server.instruments.model import Instrument, Item

NOT_APPLICABLE = "na"
WHOLE_RESPONSE = "_"


class AnswerError(ValueError):
    """Answers that do not fit their instrument; ``errors`` is keyed like validate_answers."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {', '.join(msgs)}" for key, msgs in errors.items()))


def validate_answers(instrument: Instrument, answers: object) -> dict[str, list[str]]:
    """Field-level problems with one response ({} when valid), phrased for a phone screen."""
    if not isinstance(answers, Mapping):
        return {WHOLE_RESPONSE: ["answers must be an object of question ids and answers"]}
    checks = _checks(instrument)
    errors: dict[str, list[str]] = {}
    answered = False
    for key, value in answers.items():
        check = checks.get(key) if isinstance(key, str) else None
        if check is None:
            errors[str(key)] = ["unknown item"]
            continue
        item, answer_type, accepted = check
        if type(value) is answer_type and value in accepted:
            answered = True  # the common answer, settled without _answer_problem
            continue
        if value is None:
            continue
        problem = _answer_problem(item, value)
        if problem is None:
            answered = True
        else:
            errors[key] = [problem]
    if not errors and not answered:
        errors[WHOLE_RESPONSE] = ["no question was answered"]
    return errors


# Per item: the item, the type of a plain answer and the plain answers it accepts (a push
# checks thousands of answers against the same few instruments). Anything else, "na"
# included, goes to _answer_problem, which decides and words the problem.
_Check = tuple[Item, type, Container[object]]
_CHECKS: dict[int, tuple[Instrument, dict[str, _Check]]] = {}


def _checks(instrument: Instrument) -> dict[str, _Check]:
    cached = _CHECKS.get(id(instrument))
    if cached is not None and cached[0] is instrument:
        return cached[1]
    checks: dict[str, _Check] = {}
    for item in instrument.items:
        if item.response_type == "yes_no":
            checks[item.id] = (item, bool, (True, False))
        elif item.response_type == "choice":
            checks[item.id] = (item, int, frozenset(item.option_values))
        else:
            checks[item.id] = (item, int, range(item.minimum, item.maximum + 1))
    if len(_CHECKS) > 256:  # instruments are few and long-lived; tests make more
        _CHECKS.clear()
    _CHECKS[id(instrument)] = (instrument, checks)
    return checks


def answers_to_row(
    instrument: Instrument, answers: Mapping[str, object]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Values in item order (NaN for skipped or not applicable) and the not-applicable mask."""
    errors = validate_answers(instrument, answers)
    if errors:
        raise AnswerError(errors)
    values = np.full(len(instrument.items), np.nan)
    not_applicable = np.zeros(len(instrument.items), dtype=bool)
    for column, item in enumerate(instrument.items):
        value = answers.get(item.id)
        if value == NOT_APPLICABLE:
            not_applicable[column] = True
        elif isinstance(value, bool | int):
            values[column] = float(value)
    return values, not_applicable


def answers_to_matrix(
    instrument: Instrument, responses: Sequence[Mapping[str, object]]
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Stack many responses into an (occasions x items) matrix and mask for the engine."""
    values = np.full((len(responses), len(instrument.items)), np.nan)
    not_applicable = np.zeros(values.shape, dtype=bool)
    for row, answers in enumerate(responses):
        values[row], not_applicable[row] = answers_to_row(instrument, answers)
    return values, not_applicable


def _answer_problem(item: Item, value: object) -> str | None:
    if value is None:
        return None
    if value == NOT_APPLICABLE:
        return (
            None if item.allow_not_applicable else "not applicable is not allowed for this question"
        )
    if item.response_type == "yes_no":
        return None if isinstance(value, bool) else "must be yes (true) or no (false)"
    whole = value if isinstance(value, int) and not isinstance(value, bool) else None
    if item.response_type == "choice":
        allowed = item.option_values
        if whole is not None and whole in allowed:
            return None
        return "must be one of " + ", ".join(str(code) for code in sorted(allowed))
    if whole is not None and item.minimum <= whole <= item.maximum:
        return None
    return f"must be a whole number from {item.minimum} to {item.maximum}"
