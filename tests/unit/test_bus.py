"""Packages talk upward only through typed events, wired in one place; nothing is silently unwired."""
import dataclasses
import importlib
import inspect
import pkgutil

import pytest

import hjelpemiddel
from hjelpemiddel.core import bus
from hjelpemiddel.wiring import wire


@dataclasses.dataclass(frozen=True)
class NobodyListens:
    value: int


def _declared_events() -> list[type]:
    events = []
    for module in pkgutil.walk_packages(hjelpemiddel.__path__, "hjelpemiddel."):
        if module.name.endswith(".events"):
            events += [cls for _, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass)
                       if dataclasses.is_dataclass(cls) and cls.__module__ == module.name]
    return events


def test_publishing_an_event_nobody_handles_raises():
    with pytest.raises(bus.Unwired, match="NobodyListens"):
        bus.publish(None, NobodyListens(1))


def test_every_declared_event_has_a_handler_once_wired_and_wiring_twice_changes_nothing():
    wire()
    first = {event: bus.handlers_for(event) for event in _declared_events()}
    wire()
    assert first == {event: bus.handlers_for(event) for event in _declared_events()}
    assert len(first) >= 6 and all(first.values()), {event.__name__ for event, handlers in first.items() if not handlers}


def test_handlers_run_in_order_with_the_session_and_the_event():
    seen = []
    bus.subscribe(NobodyListens, lambda session, event: seen.append(("first", session, event.value)))
    bus.subscribe(NobodyListens, lambda session, event: seen.append(("second", session, event.value)))
    try:
        bus.publish("the session", NobodyListens(7))
    finally:
        wire()  # back to the application's wiring only
    assert seen == [("first", "the session", 7), ("second", "the session", 7)]
