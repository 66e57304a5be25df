"""Marshmallow fields Alongside's schemas share."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields


class StrictBoolean(fields.Boolean):
    """Only JSON ``true`` or ``false``: "yes", 1 or "false" are refused, not guessed at."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value
