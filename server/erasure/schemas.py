"""What self-erasure takes and answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class EraseRequest(Schema):
    password = fields.String(
        required=True,
        validate=validate.Length(min=1, max=1024),
        metadata={"description": "The account's password, typed again."},
    )


class ErasureReport(Schema):
    erasure_id = fields.UUID(
        required=True, metadata={"description": "Random; names this erasure in the audit log."}
    )
    erased_at = fields.DateTime(required=True)
    data_key_destroyed = fields.Boolean(required=True)
    rows = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Rows deleted, by table."},
    )
