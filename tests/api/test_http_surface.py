"""Security headers, the OpenAPI document and its docs page, and the health check."""

from __future__ import annotations


def test_api_answers_carry_security_headers_and_are_never_cached(client):
    response = client.get("/api/v1/me")
    headers = response.headers
    assert headers["Cache-Control"] == "no-store"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_openapi_document_lists_the_api(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["title"] == "Alongside"
    for path in ("/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/me", "/api/v1/invites"):
        assert path in spec["paths"]


def test_docs_page_loads_everything_from_this_server(client):
    with client.get("/api/docs") as page:
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        # Swagger UI needs inline styles; scripts stay same-origin only.
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "http://" not in html
    assert "https://" not in html
    for asset in ("/api/docs/assets/swagger-ui-bundle.js", "/api/docs/init.js"):
        with client.get(asset) as response:
            assert response.status_code == 200
