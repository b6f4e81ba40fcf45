"""Cross-cutting pieces: database, errors, auth, identifiers, API plumbing."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
