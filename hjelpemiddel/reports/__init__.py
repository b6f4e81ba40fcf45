"""Styringsdata: figures, charts and the monthly report, read only, above every other package."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
