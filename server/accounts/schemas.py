"""Request and response schemas for accounts, written out field by field (never from models)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.schema_fields import StrictBoolean


class LoginRequest(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    device_name = fields.String(validate=validate.Length(max=80), load_default=None)


class RegisterRequest(Schema):
    invite_code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    username = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    device_name = fields.String(validate=validate.Length(max=80), load_default=None)
    display_name = fields.String(
        validate=validate.Length(min=1, max=60),
        load_default=None,
        metadata={"description": "What your peer worker should call you (optional)."},
    )


class ServiceRef(Schema):
    id = fields.UUID()
    name = fields.String()


class PersonRef(Schema):
    id = fields.UUID()
    username = fields.String()


class ConsentRecord(Schema):
    version = fields.String()
    granted_at = fields.DateTime()
    withdrawn_at = fields.DateTime(allow_none=True)


class ResearchConsent(Schema):
    granted = fields.Boolean(
        metadata={"description": "Consent to the current version is in force."}
    )
    version = fields.String(metadata={"description": "The consent text version now in use."})
    history = fields.List(fields.Nested(ConsentRecord))


class Consents(Schema):
    research = fields.Nested(ResearchConsent)


class Me(Schema):
    id = fields.UUID()
    username = fields.String()
    display_name = fields.String(allow_none=True)
    role = fields.String()
    service = fields.Nested(ServiceRef, allow_none=True)
    peer_worker = fields.Nested(PersonRef, allow_none=True)
    consents = fields.Nested(Consents)
    csrf_token = fields.String(
        allow_none=True,
        metadata={"description": "Echo in X-CSRF-Token on unsafe requests made with the cookie."},
    )


class SignedInResponse(Schema):
    token = fields.String(metadata={"description": "Bearer token for API clients; shown once."})
    token_type = fields.String()
    expires_at = fields.DateTime()
    csrf_token = fields.String(
        metadata={"description": "For cookie-authenticated unsafe requests."}
    )
    user = fields.Nested(Me)


class ConsentRequest(Schema):
    granted = StrictBoolean(required=True)


class InviteRequest(Schema):
    expires_in_days = fields.Integer(
        strict=True, validate=validate.Range(min=1, max=90), load_default=None
    )


class InviteCreated(Schema):
    id = fields.UUID()
    code = fields.String(metadata={"description": "Give this to the person; it is shown once."})
    expires_at = fields.DateTime()


class InviteSummary(Schema):
    id = fields.UUID()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    status = fields.String(metadata={"description": "pending, used or expired"})


class InviteList(Schema):
    invites = fields.List(fields.Nested(InviteSummary))


class DeviceSessionSummary(Schema):
    id = fields.UUID()
    device_name = fields.String(allow_none=True)
    created_at = fields.DateTime()
    last_used_at = fields.DateTime()
    expires_at = fields.DateTime()
    current = fields.Boolean()


class DeviceSessionList(Schema):
    sessions = fields.List(fields.Nested(DeviceSessionSummary))
