"""Security headers on every answer: pages and JSON carry citizens' names, addresses and needs.

The Content-Security-Policy allows scripts and styles only from our own /static/ files, so an
injected ``<script>`` or ``onclick=`` cannot run even if escaping were ever missed; no page may be
framed by another site; and nothing but /static/ may be kept in a browser's or proxy's cache.
"""
from __future__ import annotations

from flask import Flask, Response, request

_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# The device page shows a new unit's label PDF in an iframe (for printing at once): our own
# pages may frame a PDF, nobody else may, and no HTML page may be framed at all.
_FRAMEABLE_BY_OWN_PAGES = {"application/pdf"}



def _csp(policy: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in policy.items())


CONTENT_SECURITY_POLICY = _csp(_POLICY)
_FRAMEABLE_POLICY = _csp({**_POLICY, "frame-ancestors": "'self'"})
HSTS = "max-age=31536000; includeSubDomains"


def init_headers(app: Flask) -> None:
    production = app.config["ENV"] == "production"
    static_prefix = (app.static_url_path or "/static").rstrip("/") + "/"

    @app.after_request
    def _security_headers(response: Response) -> Response:
        frameable = response.mimetype in _FRAMEABLE_BY_OWN_PAGES
        response.headers["Content-Security-Policy"] = _FRAMEABLE_POLICY if frameable else CONTENT_SECURITY_POLICY
        response.headers["X-Frame-Options"] = "SAMEORIGIN" if frameable else "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith(static_prefix):
            response.headers["Cache-Control"] = "no-store"
        if production:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
