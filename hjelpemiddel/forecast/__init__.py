"""Forecast (prognose): units of each product and ISO class available on each of the next days, from
reservations and planned runs, expected ends of loans, the measured turnaround, NAV's expected
deliveries and the queue of needs; and its backtest against the history. Part of the depot's digital twin."""


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
