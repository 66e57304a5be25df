"""Summary responses, written out field by field (CONVENTIONS.md 4); shared by peer and me."""

from __future__ import annotations

from marshmallow import Schema, fields


class MeasureSummary(Schema):
    measure = fields.String(metadata={"description": "instrument@version/domain"})
    label = fields.String()
    mechanism = fields.String(allow_none=True)
    direction = fields.String()
    count = fields.Integer()
    latest = fields.Float(allow_none=True)
    latest_at = fields.String(allow_none=True)
    band = fields.String(allow_none=True)
    mean_4w = fields.Float(allow_none=True)
    n_4w = fields.Integer()
    trend_per_week = fields.Float(allow_none=True, metadata={"description": "points per week"})
    trend_n = fields.Integer()
    baseline = fields.Float(allow_none=True)
    baseline_at = fields.String(allow_none=True)
    rci = fields.Float(allow_none=True)
    reliable_change = fields.String(allow_none=True, metadata={"description": "better|worse"})
    reliable_change_threshold = fields.Float(allow_none=True)
    provisional = fields.Boolean()
    deteriorated_at = fields.String(allow_none=True)
    dropped_at = fields.String(allow_none=True)
    band_crossings = fields.Integer()
    crossed_at = fields.String(allow_none=True)
    crossing = fields.String(allow_none=True)
    worse_crossing_at = fields.String(allow_none=True)


class CheckinRhythm(Schema):
    total = fields.Integer()
    first_at = fields.String(allow_none=True)
    last_at = fields.String(allow_none=True)
    days_since_last = fields.Float(allow_none=True)
    last_8_weeks = fields.Integer()
    per_week = fields.Float(allow_none=True)
    median_gap_days = fields.Float(allow_none=True)


class Section(Schema):
    mechanism = fields.String()
    title = fields.String()
    measures = fields.List(fields.Nested(MeasureSummary))


class SummaryLayout(Schema):
    view = fields.String(metadata={"description": "shared (peer worker) or own"})
    computed_at = fields.String(allow_none=True)
    checkins = fields.Nested(CheckinRhythm, allow_none=True)
    sections = fields.List(
        fields.Nested(Section),
        metadata={"description": "Trust, Hope, Engagement, then Wellbeing (the change model)"},
    )
