"""The product catalogue: models of assistive devices (hjelpemidler) and their ISO 9999 classes."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
