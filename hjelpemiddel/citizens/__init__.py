"""Citizens (innbyggere) who borrow devices, and the protection of their fødselsnummer (fnr):
encrypted at rest, found through a keyed hash, shown masked, every read logged."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
