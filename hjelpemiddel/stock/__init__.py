"""Physical stock: locations in the depot, devices (individual units), their labels and their
append-only event history."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
