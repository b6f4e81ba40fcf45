from __future__ import annotations

from flask import Blueprint, current_app

from .openapi import build_openapi

bp = Blueprint("core_api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi():
    # Built on the first request, when every blueprint is registered; kept for the app's lifetime.
    document = current_app.extensions.get("openapi_document")
    if document is None:
        document = current_app.extensions["openapi_document"] = build_openapi(current_app)
    return document
