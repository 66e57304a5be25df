"""Security headers on every response and a same-origin check on unsafe requests (DESIGN.md §6)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from server.errors import Forbidden

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Swagger UI sets inline styles on its elements; only the API docs page allows them.
DOCS_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)

STATIC_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def add_security_headers(response: Response) -> Response:
    """Set CSP and friends everywhere; API answers may hold personal data, so never cache them."""
    for name, value in STATIC_HEADERS.items():
        response.headers.setdefault(name, value)
    docs = request.path.startswith("/api/docs")
    csp = DOCS_CONTENT_SECURITY_POLICY if docs else CONTENT_SECURITY_POLICY
    response.headers.setdefault("Content-Security-Policy", csp)
    if request.path.startswith("/api/") and not docs:
        response.headers.setdefault("Cache-Control", "no-store")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def reject_cross_origin_writes() -> None:
    """Refuse unsafe requests a browser sent from another origin (defence beside CSRF tokens)."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if not origin or (origin == "null" and "Authorization" in request.headers):
        return
    if urlsplit(origin).netloc != request.host:
        raise Forbidden("Requests from other sites are not accepted.")


def init_app(app: Flask) -> None:
    """Register the header and origin hooks."""
    app.after_request(add_security_headers)
    app.before_request(reject_cross_origin_writes)
