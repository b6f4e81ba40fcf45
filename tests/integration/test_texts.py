"""Every field a person can get an error about has a Norwegian name: an error page or message never
shows `product_id` or `run_date`."""
from marshmallow import Schema, fields

from hjelpemiddel.core.text import FIELD_LABELS


def _field_names(schema_class: type[Schema], seen: set) -> set[str]:
    if schema_class in seen:
        return set()
    seen.add(schema_class)
    names = set()
    for name, field in schema_class._declared_fields.items():
        names.add(field.data_key or name)
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            nested = inner.nested if isinstance(inner.nested, type) else type(inner.nested)
            names |= _field_names(nested, seen)
    return names


def test_every_field_the_api_accepts_has_a_norwegian_label(app):
    unlabelled = {}
    seen: set = set()
    for rule in app.url_map.iter_rules():
        doc = getattr(app.view_functions.get(rule.endpoint), "openapi", None) or {}
        for schema in (doc.get("body"), doc.get("query")):
            if schema is None:
                continue
            schema_class = schema if isinstance(schema, type) else type(schema)
            for name in _field_names(schema_class, seen):
                if name not in FIELD_LABELS:
                    unlabelled.setdefault(name, schema_class.__name__)
    assert not unlabelled, f"fields without a label in core/text.py FIELD_LABELS: {unlabelled}"
