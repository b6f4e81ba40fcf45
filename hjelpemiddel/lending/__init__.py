"""Lending: a citizen's need (behov), its application (søknad), the reservation of a concrete
device, the loan (utlån: short-term from municipal stock, long-term/varig via NAV), extensions
and the return request."""
from ..core import bus


def _offer_to_queue(session, device_id: int, actor_id: int | None = None) -> None:
    from .services import offer_device_to_queue

    offer_device_to_queue(session, device_id, actor_id)


def _device_holder(session, device_id: int):
    from .services import device_holder

    return device_holder(session, device_id)


bus.subscribe("device_available", _offer_to_queue)
bus.provide("device_holder", _device_holder)


def blueprints():
    from .api import bp as api_bp
    from .views import bp as web_bp

    return [api_bp, web_bp]
