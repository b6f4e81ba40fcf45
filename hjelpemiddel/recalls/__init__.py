"""Recalls (tilbakekalling / field safety notice): a manufacturer's notice over products and serials,
every affected unit found wherever it is, quarantined in the depot or visited at home, and the
progress board until the notice is closed."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
