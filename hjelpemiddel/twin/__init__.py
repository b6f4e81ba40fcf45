"""The digital twin of the depot: the map drawn from the locations, where every unit is, the depot
at a past moment from the history, and minimum stock."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
