"""The help document, field by field (CONVENTIONS.md 4). It holds no personal data."""

from __future__ import annotations

from marshmallow import Schema, fields


class Contact(Schema):
    name = fields.String(metadata={"description": "Samaritans, NHS 111, ..."})
    purpose = fields.String(allow_none=True, metadata={"description": "what they help with"})
    phone = fields.String(allow_none=True, metadata={"description": "a number to call"})
    text = fields.String(allow_none=True, metadata={"description": 'e.g. "Text SHOUT to 85258"'})
    web = fields.String(allow_none=True, metadata={"description": "an https:// address"})
    hours = fields.String(allow_none=True, metadata={"description": "when they answer"})


class Bound(Schema):
    at_most = fields.Float(metadata={"description": "a score at or below this is very low"})
    at_least = fields.Float(metadata={"description": "a score at or above this is very low"})


class Help(Schema):
    service = fields.String(
        allow_none=True,
        metadata={"description": "the service whose contacts these are; null: national defaults"},
    )
    contacts = fields.List(fields.Nested(Contact))
    urgent = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(Bound),
        metadata={
            "description": 'very low answers by measure ("instrument/domain"), the same rule '
            "as the peer worker's urgent concern: offer help right after such a check-in"
        },
    )
