"""Response schema for the instruments endpoint (definitions follow instrument.schema.json)."""

from __future__ import annotations

from marshmallow import Schema, fields


class InstrumentsResponse(Schema):
    instruments = fields.List(
        fields.Dict(),
        metadata={
            "description": "Definitions as in server/instruments/schema/instrument.schema.json"
        },
    )
    schedule = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "Days between offers"},
    )
    etag = fields.String()
