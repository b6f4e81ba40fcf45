"""Maintenance: washing (vask/klargjøring) and inspection (kontroll) of returned devices against
their product type's checklist, repairs at home or at the depot, and quarantine (karantene)."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
