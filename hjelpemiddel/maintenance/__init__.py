"""Maintenance: cleaning (vask/klargjøring) and inspection (kontroll) of returned devices against
their product type's checklist; later repair, periodic inspection and scrapping."""


def blueprints():
    from .api import bp as api_bp

    return [api_bp]
