"""Stocktake (varetelling): counting a zone, a rack or the whole depot by scanning, the result
(found, missing, unexpected, misplaced) with its adjustments, and the cycle-count plan."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
