"""What any request may carry before a view sees it: ids a database integer holds, text without NUL
bytes, JSON of a sane depth. Checked once here for every route, API and pages alike, so an odd
input is a clear 404/400/422 and never reaches the database as a server error."""
from __future__ import annotations

import json
from typing import Any

from flask import Flask, request
from werkzeug.routing import IntegerConverter

from .errors import BadRequest, NotFound, ValidationFailed
from .schemas import INT_MAX, is_clean_text

JSON_MAX_DEPTH = 32


class IdConverter(IntegerConverter):
    """``<int:…>`` in every route: an id beyond a PostgreSQL integer names nothing, so it is a 404
    like any unknown id, instead of an overflow in the database."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = None,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=INT_MAX if max is None else max, signed=signed)


def check_request_text() -> None:
    """Every path part, query argument and form field a view might read, checked for NUL bytes and
    broken UTF-8 before any view or login runs."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and not is_clean_text(value):
            raise NotFound("Siden eller ressursen finnes ikke.")
    # A GET has no form: not asking for one spares parsing an empty body on the hot read paths.
    sources = (request.args,) if request.method in ("GET", "HEAD") else (request.args, request.form)
    for source in sources:
        for name, value in source.items(multi=True):
            if not is_clean_text(name) or not is_clean_text(value):
                field = name if is_clean_text(name) else "_schema"
                raise ValidationFailed.for_field(field, "Teksten inneholder ugyldige tegn.")


def _depth(data: Any) -> int:
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > JSON_MAX_DEPTH:
            break
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    return deepest


def load_json_body() -> Any:
    """The request's JSON, refused with 400 when it is missing, malformed or nested deeper than any
    of our schemas (Python's parser would otherwise recurse until it fails)."""
    raw = request.get_data(cache=True)
    if not raw:
        raise BadRequest("Forespørselen mangler JSON-innhold.", code="invalid_json")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("Innholdet er ikke gyldig JSON.", code="invalid_json") from None
    if _depth(data) > JSON_MAX_DEPTH:
        raise BadRequest(f"JSON-innholdet er nestet for dypt (høyst {JSON_MAX_DEPTH} nivåer).", code="invalid_json")
    return data


def init_inputs(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
