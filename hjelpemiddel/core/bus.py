"""In-process domain events, so a package can react to another's change without the
other importing it (stock publishes "device_available"; lending offers the unit to its queue)."""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

_handlers: dict[str, list[Callable]] = defaultdict(list)


def subscribe(event: str, handler: Callable) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(session, event: str, **payload) -> None:
    """Handlers run in the caller's transaction: they succeed or fail together with it."""
    for handler in list(_handlers[event]):
        handler(session, **payload)


_providers: dict[str, Callable] = {}


def provide(question: str, answer: Callable) -> None:
    """Let a package answer a question another package asks (e.g. who holds a device)."""
    _providers[question] = answer


def ask(session, question: str, **kwargs):
    answer = _providers.get(question)
    return answer(session, **kwargs) if answer else None
