"""Typed domain events from a lower package to a higher one, which the lower one cannot import
(stock publishes ``DeviceBecameAvailable``; lending offers the unit to its queue).

Each package declares the events it publishes as frozen dataclasses in its ``events.py``; the
handlers are registered in one place, ``hjelpemiddel.wiring``, called from ``create_app``. Handlers
run in the publisher's transaction, in registration order: they succeed or fail together with it.
Publishing an event nobody handles is a wiring mistake and raises, rather than silently doing less.
"""
from __future__ import annotations

from typing import Any, Callable

Handler = Callable[[Any, Any], None]


class Unwired(RuntimeError):
    """An event was published that no handler is registered for."""


_handlers: dict[type, list[Handler]] = {}


def subscribe(event_type: type, handler: Handler) -> None:
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def reset() -> None:
    _handlers.clear()


def handlers_for(event_type: type) -> list[Handler]:
    return list(_handlers.get(event_type, ()))


def publish(session, event: object) -> None:
    handlers = _handlers.get(type(event))
    if not handlers:
        raise Unwired(f"No handler for {type(event).__name__}: call hjelpemiddel.wiring.wire() (create_app does).")
    for handler in list(handlers):
        handler(session, event)
