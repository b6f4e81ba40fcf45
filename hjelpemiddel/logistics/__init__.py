"""Logistics: delivery runs (kjørerunder) with their stops — deliveries, pickups, repair visits —
pick lists (plukkliste), picking by scan, the delivery log (kjørebok) and the driver's outcomes."""
from ..core import bus


def _reservation_ended(session, reservation_id: int, reason: str = "") -> None:
    from .services import release_reservation_items

    release_reservation_items(session, reservation_id, reason)


def _device_run(session, device_id: int):
    from .services import device_run

    return device_run(session, device_id)


def _plan_repair_visit(session, device, actor_id: int | None, note: str = "") -> int:
    from .services import add_repair_stop

    return add_repair_stop(session, actor_id, device.barcode, note).id


bus.subscribe("reservation_ended", _reservation_ended)
bus.provide("device_run", _device_run)
bus.provide("plan_repair_visit", _plan_repair_visit)


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
