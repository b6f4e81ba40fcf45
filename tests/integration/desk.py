"""The depot's side of the lending process in the few steps the logistics tests need, and what they
read back: a ``Desk`` and small helpers. The fixtures built on them live in conftest.py."""
from datetime import timedelta

from sqlalchemy import func, select

from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending
from hjelpemiddel.logistics import services as logistics
from hjelpemiddel.logistics.models import Stop
from hjelpemiddel.stock.models import Location
from hjelpemiddel.stock.services import get_device, register_device

TODAY = local_today()
TOMORROW = TODAY + timedelta(days=1)


class Desk:
    """The depot's side of the lending process, in the few steps these tests need."""

    def __init__(self, session, lager, therapist, make_citizen, product):
        self.session, self.lager, self.therapist = session, lager, therapist
        self.make_citizen, self.product = make_citizen, product

    def citizen(self, name: str, postcode: str = "6509"):
        citizen = self.make_citizen(name)
        citizen.postcode = postcode
        self.session.flush()
        return citizen

    def units(self, count: int = 1, where: str = "A-01-2", product=None):
        return [register_device(self.session, self.lager.id, (product or self.product).id, location_code=where)
                for _ in range(count)]

    def need(self, citizen, urgency: str = "normal", quantity: int = 1, product=None):
        """Registered by the therapist and approved by the depot: free units are reserved at once."""
        need = lending.register_need(self.session, self.therapist.id, "terapeut", citizen.id, TOMORROW, urgency,
                                     "short_term", product_id=(product or self.product).id, quantity=quantity,
                                     discharge_date=TODAY if urgency == "discharge" else None)
        return lending.decide_need(self.session, self.lager.id, "lager", need.id, "approve")

    def reserved(self, need) -> list[str]:
        return sorted(unit.barcode for unit in lending.need_units(self.session, [need.id])[need.id]
                      if unit.reservation_id is not None)

    def loan(self, citizen, where: str = "A-01-2"):
        """A unit lent out at the counter."""
        self.units(1, where)
        [barcode] = self.reserved(self.need(citizen))
        return lending.hand_over(self.session, self.lager.id, barcode, received_by="selv")

    def loan_to_collect(self, citizen, where: str = "A-01-2"):
        """A lent unit whose return the citizen has asked for: it waits for pickup."""
        return lending.request_return(self.session, self.lager.id, self.loan(citizen, where).id, "need_ended")


def plan(session, actor, **kwargs):
    return logistics.plan_runs(session, actor.id, TOMORROW, **kwargs)


def stops_of(session, run) -> list[Stop]:
    return logistics.run_stops(session, run.id)


def barcodes_on(session, stop) -> list[str]:
    return sorted(item.barcode for item in logistics.stop_items(session, [stop.id])[stop.id] if item.active)


def kind(session, stop) -> str:
    """What the visit does: "deliver", "collect", "repair", or several joined by "+" (an exchange)."""
    return "+".join(logistics.stop_views(session, [stop])[0].actions)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def state_of(session, barcode: str) -> tuple[str, str | None]:
    device = get_device(session, barcode)
    session.refresh(device)
    location = session.get(Location, device.location_id) if device.location_id else None
    return device.state, location.code if location else None


def picked_and_started(session, actor, run, *barcodes, odometer=12000):
    for barcode in barcodes:
        logistics.pick_device(session, actor.id, run.id, barcode)
    return logistics.start_run(session, actor.id, run.id, odometer_start=odometer)
