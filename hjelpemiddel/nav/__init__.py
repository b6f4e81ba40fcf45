"""NAV on the municipality's side: the order-line sync (upcoming deliveries), receiving NAV devices
with local barcodes, NAV loans already at citizens' homes, returns to NAV and spare-part orders
(delbestilling) through an outbox. NAV itself is reached only through ``integrations.nav.port``;
the transport is chosen here from configuration."""
from __future__ import annotations

from flask import Flask, current_app

from integrations.nav.port import NavError, NavPort, NavRefused, NavUnavailable

from ..core.errors import AppError, Conflict, Unavailable


def init_nav(app: Flask) -> None:
    from ..core.http import translate_errors

    translate_errors(app, NavError, nav_error_as_app_error)


def nav_error_as_app_error(error: Exception) -> AppError:
    if isinstance(error, NavUnavailable):
        return Unavailable("NAV svarer ikke akkurat nå. Ingenting er endret; prøv igjen om litt.",
                           {"reason": str(error)}, code="nav_unavailable")
    if isinstance(error, NavRefused):
        return Conflict(error.message + ".", {"feil": error.feil_code}, code=error.feil_code)
    return AppError(f"NAV avviste forespørselen: {error}", code="nav_error")


def get_port(app: Flask | None = None, quick: bool = False) -> NavPort:
    """The configured NAV transport (tests may put their own in ``app.extensions["nav_port"]``).
    ``quick``: one attempt with short timeouts, for work done while a person waits; the outbox
    and the schedule retry whatever that attempt could not finish."""
    app = app or current_app
    name = "nav_port_quick" if quick else "nav_port"
    if name in app.extensions:
        return app.extensions[name]
    if not app.config.get("NAV_BASE_URL") or not app.config.get("NAV_TOKEN"):
        if "nav_port" in app.extensions:  # a port put in by tests serves quick calls too
            return app.extensions["nav_port"]
        raise Unavailable("NAV-integrasjonen er ikke satt opp (NAV_BASE_URL og NAV_TOKEN mangler).",
                          code="nav_not_configured")
    from integrations.nav.http_client import NavHttpClient

    timeout = (1.0, 5.0) if quick else (3.05, float(app.config["NAV_TIMEOUT_SECONDS"]))
    port = app.extensions[name] = NavHttpClient(app.config["NAV_BASE_URL"], app.config["NAV_TOKEN"],
                                                timeout=timeout, retries=0 if quick else int(app.config["NAV_RETRIES"]))
    return port


def job_session_factory():
    """Jobs commit page by page in sessions of their own. The request's transaction is ended first:
    it holds SQLite's write lock from the moment the request declared it would write."""
    from ..core.db import get_database, get_session

    get_session().commit()
    return get_database().session_factory


def deliver_outbox_after_commit() -> None:
    """Try NAV once as soon as the request has committed; the schedule retries what fails."""
    from ..core.db import get_database
    from ..core.http import after_commit
    from .jobs import deliver_outbox

    factory, port, vault = get_database().session_factory, get_port(quick=True), current_app.extensions["fnr_vault"]
    after_commit(lambda: deliver_outbox(factory, port, vault))


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
