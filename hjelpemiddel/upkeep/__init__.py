"""Periodic inspection across the depot (kontroller): the due list, maintenance plans, inspection visits
at home and each unit's inspection report. The rules themselves live in ``maintenance``."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
