"""Query parameters of the research export (CONVENTIONS.md 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ExportQuery(Schema):
    """``?period=week|month&format=csv|json``."""

    period = fields.String(required=True, validate=validate.OneOf(["week", "month"]))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
