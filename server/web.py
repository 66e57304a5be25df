"""The web app (``pwa/dist``) at ``/``: the shell for every client route, never over the API."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_file
from werkzeug.routing import PathConverter

from server.errors import NotFound

blueprint = Blueprint("web", __name__)

# Where `npm run build` (run by `make run` and `make test`) writes the app.
DEFAULT_DIST = Path(__file__).resolve().parent.parent / "pwa" / "dist"
SHELL = "index.html"
SERVICE_WORKER = "sw.js"
# Vite names these files by content hash, so a browser may keep them forever.
IMMUTABLE = "public, max-age=31536000, immutable"
# Everything else (shell, worker, manifest, icons) must be revalidated, so a release reaches
# phones; the worker in particular, or an update would never be noticed.
REVALIDATE = "no-cache"

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


def dist_dir() -> Path:
    """The built app's folder (``WEB_DIST_DIR``, or ``pwa/dist`` beside the server code)."""
    configured = current_app.config.get("WEB_DIST_DIR") or ""
    return Path(configured) if configured else DEFAULT_DIST


def _file_in_dist(path: str) -> Path | None:
    """The built file at ``path``, or None; never anything outside the folder."""
    root = dist_dir().resolve()
    candidate = (root / path).resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate if candidate.is_file() else None


def _send(file: Path, cache_control: str) -> Response:
    response = send_file(file, conditional=True, etag=True, max_age=None)
    response.headers["Cache-Control"] = cache_control
    return response


def _shell() -> Response:
    shell = _file_in_dist(SHELL)
    if shell is None:
        raise NotFound(
            "The web app is not built on this server. Run `make run` (or `npm ci && npm run"
            " build` in pwa/) and reload."
        )
    return _send(shell, REVALIDATE)


@blueprint.get("/")
def index() -> Response:
    """The app shell."""
    return _shell()


class AppPathConverter(PathConverter):
    """A path outside the API and health checks, so this rule never even matches those.

    Matching them (even only for GET) would turn the API's 404s for unknown paths and
    malformed ids, and its 405s, into this rule's answers.
    """

    regex = r"(?!(?:api/|healthz|readyz))[^/].*?"


@blueprint.get("/<app_path:path>")
def app_file(path: str) -> Response:
    """A built file, or the shell for a client route such as ``/history``."""
    found = _file_in_dist(path)
    if found is not None:
        response = _send(found, IMMUTABLE if path.startswith("assets/") else REVALIDATE)
        if path == SERVICE_WORKER:
            # The worker controls the whole origin; say so explicitly.
            response.headers["Service-Worker-Allowed"] = "/"
        return response
    # A missing file (a stale asset name, a typo) is a 404; only page routes get the shell.
    last = path.rsplit("/", 1)[-1]
    if "." in last or not _accepts_html():
        raise NotFound("Nothing here.")
    return _shell()


def _accepts_html() -> bool:
    """Whether the request is a page navigation (a browser asking for HTML)."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "text/html" or not request.accept_mimetypes


def init_app(app: Flask) -> None:
    """Serve the built web app."""
    app.url_map.converters["app_path"] = AppPathConverter
    app.register_blueprint(blueprint)
