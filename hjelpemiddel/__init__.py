"""Hjelpemiddel: the service that runs a municipal assistive-device depot (hjelpemiddellager)."""
from __future__ import annotations

import os
import secrets

from typing import TYPE_CHECKING

from .config import load_config

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    # Flask is imported here, not with the package: `hjelpemiddel serve` imports the package only to
    # start gunicorn at once.
    from flask import Flask

    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(load_config(app.instance_path, config))
    _init_secret_key(app)

    from .core.db import init_db
    from .core.headers import init_headers
    from .core.http import init_http, install_commit_point
    from .stock.label_layouts import init_label_layouts
    from .cli import init_cli
    from . import (accounts, archive, catalog, citizens, core, forecast, incidents, legacy, lending, logistics,
                   maintenance, nav,
                   recalls, reports, stock, stocktake, twin, upkeep)
    from .core.crypto import vault_from_config
    from .wiring import wire

    wire()
    init_db(app)
    init_http(app)
    init_headers(app)
    init_label_layouts(app)
    nav.init_nav(app)
    app.extensions["fnr_vault"] = vault_from_config(app.config, app.instance_path)
    for package in (core, accounts, catalog, stock, citizens, lending, maintenance, logistics, nav, stocktake, twin,
                    forecast, incidents, recalls, upkeep, reports, archive, legacy):
        for blueprint in package.blueprints():
            app.register_blueprint(blueprint)
    install_commit_point(app)
    init_cli(app)
    return app


def _init_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV"] == "production":
        raise RuntimeError("SECRET_KEY must be set in production (HJELPEMIDDEL_ENV=production).")
    # A development key that survives restarts, so logins do too.
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_hex(32))
    with open(path) as handle:
        app.config["SECRET_KEY"] = handle.read().strip()
