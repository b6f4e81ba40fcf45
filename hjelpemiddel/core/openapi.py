"""The OpenAPI document, built from the routes themselves: each API view declares its schemas
with ``@api_doc`` and the document can never drift from what is registered."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema, fields
from werkzeug.routing import IntegerConverter, Rule

from .exports import FORMATS as EXPORT_FORMATS
from .schemas import INT_MAX, INT_MIN, TEXT_MAX

_ERROR_STATUSES = {400: "Ugyldig forespørsel", 401: "Ikke innlogget", 403: "Mangler rolle",
                   404: "Finnes ikke", 409: "Konflikt med nåværende tilstand", 413: "For stor forespørsel",
                   422: "Ugyldige felt", 429: "For mange forespørsler", 503: "Midlertidig utilgjengelig"}


def api_doc(summary: str, *, body: type[Schema] | Schema | None = None, response: type[Schema] | Schema | None = None,
            status: int = 200, query: type[Schema] | None = None, many: bool = False,
            produces: str = "application/json", consumes: str | None = None, tag: str | None = None,
            errors: tuple[int, ...] = (), exports: bool = False):
    """``exports``: a list that also downloads as a file (``format=csv|xlsx``, ``core.exports``).
    ``errors``: statuses this operation can answer beyond what its shape implies (see
    ``_error_statuses``), e.g. 404 for a lookup by a query argument, 429 for a limited one."""

    def decorator(view):
        view.openapi = dict(summary=summary, body=body, response=response, status=status, query=query,
                            many=many, produces=produces, consumes=consumes, tag=tag,
                            errors=(*errors, 400) if exports else errors, exports=exports)
        return view

    return decorator


def _error_statuses(rule: Rule, method: str, doc: dict) -> list[int]:
    """What an operation can answer besides success: anyone may be unauthenticated, lack the role or
    find the database (or NAV) away; bodies can be malformed or too large, or name what does not
    exist, like ids in the path; writes can meet the current state; whatever is parsed can be
    invalid."""
    statuses = {401, 403, 503, *doc["errors"]}
    has_body = doc["body"] is not None or doc["consumes"] is not None
    if has_body:
        statuses |= {400, 404, 413, 422}
    if rule.arguments:
        statuses.add(404)
    if doc["query"] is not None:
        statuses.add(422)
    if method != "GET":
        statuses.add(409)
    return sorted(statuses)


def _path_parameter(rule: Rule, name: str) -> dict:
    converter = rule._converters.get(name)  # werkzeug keeps each argument's converter here
    if isinstance(converter, IntegerConverter):
        schema = {"type": "integer", "minimum": 0, "maximum": INT_MAX}
    else:
        schema = {"type": "string", "minLength": 1, "maxLength": 200}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _input_bounds(self, field, ret, **kwargs) -> dict:
    # The bounds core/schemas.py puts on every field, shown to clients (and to the fuzzer).
    if isinstance(field, fields.Integer):
        return {"minimum": max(ret.get("minimum", INT_MIN), INT_MIN), "maximum": min(ret.get("maximum", INT_MAX), INT_MAX)}
    if isinstance(field, fields.String) and "maxLength" not in ret and "enum" not in ret:
        return {"maxLength": TEXT_MAX}
    return {}


def _schema_ref(spec: APISpec, schema) -> dict:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=cls)
    return {"$ref": f"#/components/schemas/{name}"}


def build_openapi(app: Flask) -> dict:
    marshmallow_plugin = MarshmallowPlugin()
    spec = APISpec(title="Hjelpemiddel API", version="1", openapi_version="3.0.3", plugins=[marshmallow_plugin])
    marshmallow_plugin.converter.add_attribute_function(_input_bounds)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", {"type": "object", "properties": {"error": {
        "type": "object", "required": ["code", "message", "details"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}}})
    error_ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        doc = getattr(view, "openapi", None)
        if doc is None or not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            operation: dict = {"summary": doc["summary"], "security": [{"bearer": []}], "responses": {}}
            roles = ["admin", *getattr(view, "required_roles", ())]
            operation["description"] = "Roller: " + ", ".join(roles)
            operation["x-roles"] = roles
            operation["tags"] = [doc["tag"] or rule.endpoint.split(".")[0]]
            params = [_path_parameter(rule, arg) for arg in sorted(rule.arguments)]
            if doc["query"] is not None:
                params.append({"in": "query", "schema": doc["query"]})
            if doc.get("exports"):
                params.append({"in": "query", "name": "format", "required": False,
                               "description": "Alle rader som passer, som fil (uten: JSON-listen)",
                               "schema": {"type": "string", "enum": list(EXPORT_FORMATS)}})
            if params:
                operation["parameters"] = params
            if doc["body"] is not None:
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _schema_ref(spec, doc["body"])}}}
            elif doc["consumes"]:
                operation["requestBody"] = {"required": True, "content": {doc["consumes"]: {"schema": {"type": "string"}}}}
            if doc["response"] is not None:
                schema = _schema_ref(spec, doc["response"])
                if doc["many"]:
                    schema = {"type": "array", "items": schema}
                content = {doc["produces"]: {"schema": schema}}
            else:
                content = {doc["produces"]: {"schema": {"type": "string", "format": "binary"}}}
            if doc.get("exports"):
                content.update({mimetype: {"schema": {"type": "string", "format": "binary"}}
                                for mimetype in (value.split(";")[0] for value in EXPORT_FORMATS.values())})
            operation["responses"][str(doc["status"])] = {"description": "OK", "content": content}
            for status in _error_statuses(rule, method, doc):
                operation["responses"][str(status)] = {"description": _ERROR_STATUSES[status], **error_ref}
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


