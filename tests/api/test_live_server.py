"""The production server command serves the app against the configured database."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.slow
def test_alongside_serve_answers_and_survives_a_kill(live_server):
    server = live_server(workers=2)
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok", "database": "ok"}
    assert httpx.get(server.url + "/api/v1/me").status_code == 401
    server.kill()
    with pytest.raises(httpx.TransportError):
        httpx.get(server.url + "/healthz", timeout=1)
    server.restart()
    assert httpx.get(server.url + "/healthz").status_code == 200
