"""Domain exceptions and the one JSON error shape: ``{error, message, details?}``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AlongsideError(Exception):
    """A failure a client can act on; ``status`` and ``code`` go into the response."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(AlongsideError):
    status = 422
    code = "invalid_input"


class Unauthorized(AlongsideError):
    status = 401
    code = "unauthorized"


class Forbidden(AlongsideError):
    status = 403
    code = "forbidden"


class NotFound(AlongsideError):
    status = 404
    code = "not_found"


class Conflict(AlongsideError):
    status = 409
    code = "conflict"


class PayloadTooLarge(AlongsideError):
    status = 413
    code = "payload_too_large"


class RateLimited(AlongsideError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after})
        self.retry_after = retry_after


# Plain-language messages for HTTP errors raised by Flask, Werkzeug or webargs.
HTTP_MESSAGES = {
    400: "The request could not be read. Send a JSON body with the documented fields.",
    401: "Sign in first.",
    403: "You do not have access to this.",
    404: "Nothing here.",
    405: "This address does not accept that method.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "Some fields are missing or not valid.",
    429: "Too many requests. Wait a little and try again.",
}


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    """Build the JSON error response every failure uses."""
    body: dict[str, Any] = {"error": code, "message": message}
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def _webargs_details(exc: HTTPException) -> Any:
    """Field-level messages that webargs/marshmallow attached to an HTTP error, flattened."""
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    # webargs nests by location ({"json": {...}}); clients only care about the fields.
    if len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):
            return only
    return messages


def handle_http_exception(exc: HTTPException) -> Response:
    """Turn any Werkzeug/Flask HTTP error into the JSON error shape."""
    status = exc.code or 500
    details = _webargs_details(exc)
    message = HTTP_MESSAGES.get(status, exc.name)
    if status == 413:
        message = "The request body is larger than the server accepts (1 MiB)."
    if status == 400 and details and "json" in details:
        message = "The body is not valid JSON."
        details = None
    response = error_response(status, exc.name.lower().replace(" ", "_"), message, details)
    for name, value in exc.get_headers():
        if name.lower() in {"allow", "retry-after"}:
            response.headers[name] = value
    return response


def handle_domain_error(exc: AlongsideError) -> Response:
    """Map a domain exception to its status and the JSON error shape."""
    response = error_response(exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def handle_unexpected(exc: Exception) -> Response:
    """Last resort: log the failure (no request data) and answer without internals."""
    log.exception("unhandled error: %s", type(exc).__name__)
    return error_response(500, "internal_error", "Something went wrong on the server.")


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(AlongsideError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
