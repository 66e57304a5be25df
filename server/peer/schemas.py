"""Peer worker responses, requests and query parameters, field by field (CONVENTIONS.md 4)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.aggregation.schemas import SummaryLayout

KINDS = (
    "urgent | worse_since_start | sharp_drop | worse_range | better_since_start | "
    "better_range | quiet"
)


class Event(Schema):
    id = fields.UUID()
    measure = fields.String(metadata={"description": "trust, hope, connection, wellbeing, ..."})
    label = fields.String()
    kind = fields.String(metadata={"description": KINDS})
    concern = fields.Boolean(metadata={"description": "a worry (true) or good news (false)"})
    urgent = fields.Boolean(metadata={"description": "needs a conversation soon"})
    message = fields.String(metadata={"description": "in plain words, for the peer worker"})
    at = fields.DateTime(metadata={"description": "the check-in it is about"})
    raised_at = fields.DateTime()
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledged_by = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class Point(Schema):
    at = fields.String()
    value = fields.Float()


class Scale(Schema):
    min = fields.Float()
    max = fields.Float()


class BandLine(Schema):
    upper = fields.Float()
    label = fields.String()


class Domain(Schema):
    domain = fields.String(metadata={"description": "trust | hope | connection | wellbeing"})
    label = fields.String()
    latest = fields.Float(allow_none=True)
    latest_at = fields.String(allow_none=True)
    direction = fields.String(allow_none=True, metadata={"description": "up | down | steady"})
    better = fields.String(metadata={"description": "which direction is good"})
    scale = fields.Nested(Scale)
    series = fields.List(fields.Nested(Point))


class DomainDetail(Domain):
    baseline = fields.Float(allow_none=True, metadata={"description": "where they started"})
    baseline_at = fields.String(allow_none=True)
    bands = fields.List(fields.Nested(BandLine))
    change_threshold = fields.Float(
        allow_none=True, metadata={"description": "how big a change counts as a lot"}
    )


class Quiet(Schema):
    days = fields.Integer()
    message = fields.String()


class CaseloadEntry(Schema):
    id = fields.UUID()
    display_name = fields.String(allow_none=True)
    username = fields.String()
    last_shared_checkin_at = fields.DateTime(allow_none=True)
    days_since_last_shared = fields.Integer(allow_none=True)
    quiet = fields.Nested(Quiet, allow_none=True)
    urgent = fields.Boolean(metadata={"description": "needs a conversation soon"})
    needs_attention = fields.Boolean(metadata={"description": "a worry awaits follow-up"})
    flagged = fields.Boolean(metadata={"description": "anything awaits follow-up"})
    events = fields.List(fields.Nested(Event))
    domains = fields.List(fields.Nested(Domain))
    last_viewed_at = fields.DateTime(allow_none=True)
    last_followed_up_at = fields.DateTime(allow_none=True)


class Caseload(Schema):
    people = fields.List(fields.Nested(CaseloadEntry))


class SinceLastLook(Schema):
    last_viewed_at = fields.DateTime(allow_none=True)
    new_checkins = fields.Integer()
    events = fields.List(fields.Nested(Event))


class PersonSummary(SummaryLayout):
    id = fields.UUID()
    display_name = fields.String(allow_none=True)
    username = fields.String()
    domains = fields.List(fields.Nested(DomainDetail))
    concerns = fields.List(fields.Nested(Event))
    history = fields.List(fields.Nested(Event))
    since_last_look = fields.Nested(SinceLastLook)
    quiet = fields.Nested(Quiet, allow_none=True)


class Acknowledge(Schema):
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "how you followed up (optional, kept sealed)"},
    )


class Acknowledged(Schema):
    acknowledged = fields.Integer()
    history = fields.List(fields.Nested(Event))


class ScoreEntry(Schema):
    score = fields.Float(allow_none=True)
    band = fields.String(allow_none=True)


class AnsweredItem(Schema):
    item = fields.String()
    text = fields.String()
    value = fields.Raw(allow_none=True)
    answer = fields.String()


class AnsweredQuestionnaire(Schema):
    instrument = fields.String()
    title = fields.String()
    items = fields.List(fields.Nested(AnsweredItem))


class SharedCheckin(Schema):
    id = fields.UUID()
    effective_at = fields.DateTime()
    note = fields.String(allow_none=True)
    answers = fields.List(fields.Nested(AnsweredQuestionnaire))
    scores = fields.Dict(keys=fields.String(), values=fields.Nested(ScoreEntry))


class SharedCheckins(Schema):
    checkins = fields.List(fields.Nested(SharedCheckin))


class CheckinsQuery(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))
