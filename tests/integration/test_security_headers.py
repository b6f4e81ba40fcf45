"""Security headers on every kind of answer: pages, JSON, errors, PDFs and static files."""
import pytest

from hjelpemiddel import create_app
from hjelpemiddel.core.headers import CONTENT_SECURITY_POLICY
from hjelpemiddel.stock.services import register_device

from ..conftest import TEST_FNR_KEYS

ALWAYS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def directives(policy: str) -> dict[str, str]:
    return {name: value for name, _, value in (part.strip().partition(" ") for part in policy.split(";"))}


def assert_protected(response, cached: bool = False) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    if not cached:
        assert response.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in response.headers


def test_the_policy_allows_only_our_own_scripts_and_styles_and_no_framing():
    assert directives(CONTENT_SECURITY_POLICY) == {
        "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
        "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'", "frame-ancestors": "'none'"}
    assert "unsafe" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url,status", [
    ("/login", 200),
    ("/hjelpemidler", 200),
    ("/hjelpemidler/HJM99999999", 404),
    ("/skann", 403),
])
def test_pages_and_error_pages_carry_the_headers(api_as, depot, url, status):
    page = api_as("terapeut" if url == "/skann" else "lager").get(url, headers={"Accept": "text/html"})
    assert (page.status_code, page.mimetype) == (status, "text/html")
    assert_protected(page)


@pytest.mark.parametrize("method,url,body,status", [
    ("GET", "/api/v1/devices", None, 200),
    ("GET", "/api/v1/devices/HJM99999999", None, 404),
    ("POST", "/api/v1/devices", {"product_id": "en"}, 422),
    ("GET", "/api/v1/nowhere", None, 404),
    ("GET", "/api/v1/openapi.json", None, 200),
])
def test_api_answers_and_errors_carry_the_headers(lager_api, depot, method, url, body, status):
    answer = lager_api.get(url) if method == "GET" else lager_api.post(url, json=body)
    assert (answer.status_code, answer.mimetype) == (status, "application/json")
    assert_protected(answer)


def test_an_unauthenticated_api_call_carries_the_headers(client):
    answer = client.get("/api/v1/devices")
    assert answer.status_code == 401
    assert_protected(answer)


def test_a_label_pdf_may_be_framed_by_our_own_pages_only_and_is_not_cached(lager_api, session, depot, rollator, actor):
    device = register_device(session, actor.id, rollator.id, location_code="A-01-2")
    pdf = lager_api.get(f"/api/v1/devices/{device.barcode}/label.pdf")
    assert (pdf.status_code, pdf.mimetype) == (200, "application/pdf")
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert directives(pdf.headers["Content-Security-Policy"]) == {
        **directives(CONTENT_SECURITY_POLICY), "frame-ancestors": "'self'"}
    assert pdf.headers["Cache-Control"] == "no-store"
    assert pdf.headers["X-Content-Type-Options"] == "nosniff"


def test_a_static_file_carries_the_headers_and_may_be_cached(client):
    css = client.get("/static/app.css")
    css.close()
    assert css.status_code == 200
    assert_protected(css, cached=True)
    assert "no-store" not in css.headers.get("Cache-Control", "")


def test_strict_transport_security_is_sent_in_production_only(tmp_path, client):
    production = create_app({"ENV": "production", "SECRET_KEY": "prod-secret",
                             "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", **TEST_FNR_KEYS})
    with production.test_client() as prod:
        for url in ("/static/app.css", "/nowhere"):
            answer = prod.get(url)
            answer.close()
            assert answer.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
            assert answer.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in client.get("/nowhere").headers


def test_the_browsers_favicon_request_finds_the_icon_every_page_links(client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 301
    icon = client.get(answer.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/login").get_data(as_text=True)
