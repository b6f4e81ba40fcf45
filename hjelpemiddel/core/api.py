from __future__ import annotations

from flask import Blueprint, current_app

from .openapi import build_openapi

bp = Blueprint("core_api", __name__, url_prefix="/api/v1")


@bp.get("/openapi.json")
def openapi():
    cache = current_app.extensions.setdefault("openapi_document", build_openapi(current_app))
    return cache
