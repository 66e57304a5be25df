"""The web app at ``/``: shell for client routes, caching that lets releases reach phones."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server.web import DEFAULT_DIST

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A small stand-in for ``pwa/dist`` with the same layout as the real build."""
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><title>Alongside</title><div id=app>")
    (root / "sw.js").write_text("self.addEventListener('install', () => {});")
    (root / "manifest.webmanifest").write_text(json.dumps({"name": "Alongside"}))
    (root / "assets" / "index-Ab12Cd34.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("outside the web app")
    return root


class _ClosingClient:
    """A test client whose responses are read and closed at once (files are streamed)."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        response = self._client.get(path, **kwargs)
        response.get_data()
        response.close()
        return response


@pytest.fixture
def web(make_app, dist):
    return _ClosingClient(make_app(WEB_DIST_DIR=str(dist)).test_client())


def test_the_shell_is_served_at_the_root_and_revalidated(web):
    response = web.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"<div id=app>" in response.data
    assert response.headers["Cache-Control"] == "no-cache"
    csp = response.headers["Content-Security-Policy"]
    # The built app needs its own scripts, styles, manifest and worker; nothing inline.
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "connect-src 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


@pytest.mark.parametrize(
    "route", ["/history", "/settings", "/checkin/3b0f0d3c-2f0e-4d6b-9d55-000000000001"]
)
def test_client_routes_get_the_shell(web, route):
    response = web.get(route, headers={"Accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 200
    assert b"<div id=app>" in response.data


def test_the_service_worker_is_never_cached_and_controls_the_whole_app(web):
    response = web.get("/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"


def test_hashed_assets_are_immutable(web):
    response = web.get("/assets/index-Ab12Cd34.js")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_manifest_has_its_media_type(web):
    response = web.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"


@pytest.mark.parametrize("path", ["/assets/index-gone.js", "/favicon.ico"])
def test_a_missing_file_is_a_json_404_not_the_shell(web, path):
    response = web.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v2/anything", "/healthzz"])
def test_the_app_never_shadows_the_api(web, path):
    response = web.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.is_json


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_unknown_api_paths_stay_404_for_every_method(make_app, dist, method):
    client = make_app(WEB_DIST_DIR=str(dist)).test_client()
    response = getattr(client, method)("/api/v1/me/sessions/not-a-uuid", json={})
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_api_routes_still_answer(web):
    assert web.get("/api/v1/instruments").status_code == 200
    assert web.get("/healthz").get_json()["status"] == "ok"


@pytest.mark.parametrize(
    "path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"]
)
def test_nothing_outside_the_built_folder_is_served(web, path):
    response = web.get(path)
    assert response.status_code == 404
    assert b"outside the web app" not in response.data


def test_an_unbuilt_app_says_how_to_build_it(make_app, tmp_path):
    response = make_app(WEB_DIST_DIR=str(tmp_path / "missing")).test_client().get("/")
    assert response.status_code == 404
    assert "make run" in response.get_json()["message"]


def _built() -> Path:
    if not (DEFAULT_DIST / "index.html").exists():
        message = "pwa/dist is not built; `make test` builds it"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return DEFAULT_DIST


def test_the_built_app_is_installable():
    """The real build: a manifest with a maskable icon, and a worker that precaches the shell."""
    dist = _built()
    manifest = json.loads((dist / "manifest.webmanifest").read_text())
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    purposes = {icon["purpose"] for icon in manifest["icons"]}
    assert {"any", "maskable"} <= purposes
    for icon in manifest["icons"]:
        assert (dist / icon["src"].lstrip("/")).is_file()
    assert 'rel="manifest"' in (dist / "index.html").read_text()
    worker = (dist / "sw.js").read_text()
    assert '"index.html"' in worker
    assert "skipWaiting" in worker  # only on the person's word: see pwa/src/sw/sw.ts


def test_the_first_load_javascript_is_within_budget():
    """Issue 6: at most 150 KB of JavaScript, gzipped, for the shell's first load."""
    report = json.loads((_built() / "bundle-size.json").read_text())
    assert 0 < report["first_load_js_gzip_bytes"] <= 150 * 1024
