"""Incidents (uhell): a unit that was part of an accident is reported, taken out of use at once,
and — when someone was seriously hurt or died — flagged for the authorities with a deadline until
it is marked sent. Imports core, catalog, stock and maintenance only."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
