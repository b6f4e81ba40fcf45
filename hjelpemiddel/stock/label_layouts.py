"""Label layouts loaded once from the configured folder (``labels/``)."""
from __future__ import annotations

from flask import Flask, current_app

from ..core.errors import ValidationFailed
from ..documents.labels import LabelLayout, load_layouts


def init_label_layouts(app: Flask) -> None:
    app.extensions["label_layouts"] = load_layouts(app.config["LABEL_LAYOUTS_DIR"])


def resolve_layout(name: str | None, default_key: str = "DEFAULT_LABEL_LAYOUT") -> LabelLayout:
    layouts: dict[str, LabelLayout] = current_app.extensions["label_layouts"]
    name = name or current_app.config[default_key]
    if name not in layouts:
        raise ValidationFailed.for_field("layout", f"Ukjent etikettoppsett «{name}». Finnes: {', '.join(sorted(layouts))}.")
    return layouts[name]
