"""The OpenAPI document, built from the routes themselves: each API view declares its schemas
with ``@api_doc`` and the document can never drift from what is registered."""
from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask
from marshmallow import Schema


_ERROR_STATUSES = {400: "Ugyldig forespørsel", 401: "Ikke innlogget", 403: "Mangler rolle",
                   404: "Finnes ikke", 409: "Konflikt med nåværende tilstand", 413: "For stor forespørsel",
                   422: "Ugyldige felt"}


def api_doc(summary: str, *, body: type[Schema] | Schema | None = None, response: type[Schema] | Schema | None = None,
            status: int = 200, query: type[Schema] | None = None, many: bool = False,
            produces: str = "application/json", consumes: str | None = None, tag: str | None = None):
    def decorator(view):
        view.openapi = dict(summary=summary, body=body, response=response, status=status, query=query,
                            many=many, produces=produces, consumes=consumes, tag=tag)
        return view

    return decorator


def _schema_ref(spec: APISpec, schema) -> dict:
    cls = schema if isinstance(schema, type) else type(schema)
    name = cls.__name__
    if name not in spec.components.schemas:
        spec.components.schema(name, schema=cls)
    return {"$ref": f"#/components/schemas/{name}"}


def build_openapi(app: Flask) -> dict:
    spec = APISpec(title="Hjelpemiddel API", version="1", openapi_version="3.0.3", plugins=[MarshmallowPlugin()])
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
            roles = getattr(view, "required_roles", ())
            operation["description"] = "Roller: " + ", ".join(("admin",) + tuple(roles))
            operation["tags"] = [doc["tag"] or rule.endpoint.split(".")[0]]
            params = [{"name": arg, "in": "path", "required": True, "schema": {"type": "string"}} for arg in rule.arguments]
            if doc["query"] is not None:
                params.append({"in": "query", "schema": doc["query"]})
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
            operation["responses"][str(doc["status"])] = {"description": "OK", "content": content}
            for status, text in _ERROR_STATUSES.items():
                operation["responses"][str(status)] = {"description": text, **error_ref}
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


