"""Peer worker responses and query parameters, field by field (CONVENTIONS.md 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.aggregation.schemas import SummaryLayout


class Event(Schema):
    measure = fields.String()
    label = fields.String()
    kind = fields.String(
        metadata={
            "description": "reliable_deterioration | reliable_drop | worse_band_crossing | "
            "band_crossing"
        }
    )
    at = fields.String()


class CaseloadEntry(Schema):
    id = fields.UUID()
    display_name = fields.String(allow_none=True)
    username = fields.String()
    last_shared_checkin_at = fields.DateTime(allow_none=True)
    days_since_last_shared = fields.Integer(allow_none=True)
    flagged = fields.Boolean(metadata={"description": "something new since your last look"})
    needs_attention = fields.Boolean(metadata={"description": "something got worse"})
    events = fields.List(fields.Nested(Event))
    last_viewed_at = fields.DateTime(allow_none=True)


class Caseload(Schema):
    people = fields.List(fields.Nested(CaseloadEntry))


class PersonSummary(SummaryLayout):
    id = fields.UUID()
    display_name = fields.String(allow_none=True)
    username = fields.String()
    new_since_last_visit = fields.List(fields.Nested(Event))


class ScoreEntry(Schema):
    score = fields.Float(allow_none=True)
    band = fields.String(allow_none=True)


class SharedCheckin(Schema):
    id = fields.UUID()
    effective_at = fields.DateTime()
    note = fields.String(allow_none=True)
    scores = fields.Dict(keys=fields.String(), values=fields.Nested(ScoreEntry))


class SharedCheckins(Schema):
    checkins = fields.List(fields.Nested(SharedCheckin))


class CheckinsQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
