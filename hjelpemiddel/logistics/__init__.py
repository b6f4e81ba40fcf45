"""Logistics: delivery runs (kjørerunder) with their visits — deliveries, pickups, repairs, or several
at one door — pick lists (plukkliste), picking by scan, the delivery log (kjørebok) and the driver's
outcomes."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
