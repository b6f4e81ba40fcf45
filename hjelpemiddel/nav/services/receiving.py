"""Receiving NAV devices at the depot: matched to their expected order line, registered as NAV-owned
with a local barcode, and held for the citizen's need; arrivals that match no line wait to be resolved."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.nav.port import SIX_DIGITS

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...core.db import utcnow
from ...core.errors import Conflict, InvalidState, NotFound, ValidationFailed
from ...core.paging import PAGE_SIZE, Page, offset_page
from ...core.text import local_today
from ...lending import services as lending
from ...lending.models import Need
from ...stock.models import Device
from ...stock.services import get_location, receiving_place, register_device
from ..models import NavArrival, NavOrderLine
from .sync import match_needs


@dataclass
class Received:
    device: Device | None
    order_line: NavOrderLine | None
    need: Need | None
    arrival: NavArrival | None
    messages: list[str] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.device is not None


def _find_expected_line(session: Session, hms_nr: str, serial: str) -> NavOrderLine | None:
    candidates = list(session.scalars(
        select(NavOrderLine).where(NavOrderLine.hms_nr == hms_nr, NavOrderLine.state == "expected",
                                   NavOrderLine.item_type != "Del")
        .order_by(NavOrderLine.expected_on, NavOrderLine.id).with_for_update()))
    for line in candidates:
        if serial in (line.serials or []):
            return line
    # Lines without serial numbers accept any unit of their article, oldest expected first.
    return next((line for line in candidates if not line.serials), None)


def nav_product(session: Session, hms_nr: str, name: str | None, category_num: str | None,
                 individually_tracked: bool = True) -> Product:
    """The catalogue's product for a NAV article, added from NAV's own description when missing."""
    product = session.scalar(select(Product).where(Product.hms_nr == hms_nr))
    if product is not None:
        return product
    if not SIX_DIGITS.match(hms_nr):
        raise ValidationFailed.for_field("hms_nr", f"NAV-artikkel {hms_nr} har ikke et gyldig HMS-nr.")
    product = Product(hms_nr=hms_nr, name=name or f"NAV-artikkel {hms_nr}", iso_class=(category_num or "000000")[:8],
                      supplier="NAV", individually_tracked=individually_tracked)
    session.add(product)
    session.flush()
    return product


def _need_for_line(session: Session, actor_id: int, line: NavOrderLine, product: Product) -> Need | None:
    if line.need_id is None and line.citizen_id is not None:
        match_needs(session, {line.citizen_id})
    if line.need_id is not None:
        return lending.get_need(session, line.need_id, for_update=True)
    if line.citizen_id is None:
        return None
    # NAV approved something no therapist registered here: open the long-term need for it, so the
    # unit still reaches the citizen on a run.
    citizen = session.get(Citizen, line.citizen_id)
    need = Need(citizen_id=citizen.id, product_id=product.id, quantity=1, needed_by=local_today(), urgency="normal",
                urgency_rank=2, delivery_address=citizen.home_address,
                notes=f"Opprettet ved mottak av NAV-ordre {line.ordre_number}", requested_by="NAV",
                application_type="long_term", status="sent_to_nav", nav_status="delivery_expected",
                registered_by_id=actor_id)
    session.add(need)
    session.flush()
    line.need_id = need.id
    lending.record_need_event(session, need, "registered", actor_id, note=need.notes)
    return need


def receive_nav_device(session: Session, actor_id: int, hms_nr: str, serial: str, location_code: str | None = None,
                       note: str = "", receiving_location: str | None = None) -> Received:
    """A NAV device arrives at the receiving point: match it to the expected order line, register
    it as NAV-owned with a local barcode, and hold it for the citizen's need. No match: it is kept
    on the list of arrivals to resolve by hand. Without a scanned place it goes to the depot's
    receiving place (``receiving_location``)."""
    hms_nr, serial = (hms_nr or "").strip(), (serial or "").strip()
    if not SIX_DIGITS.match(hms_nr):
        raise ValidationFailed.for_field("hms_nr", "HMS-nr må være nøyaktig 6 siffer.")
    if not serial:
        raise ValidationFailed.for_field("serial", "Skriv eller skann serienummeret.")
    known = session.scalar(select(Device.barcode).where(Device.nav_hms_nr == hms_nr, Device.nav_serial == serial))
    if known:
        raise Conflict(f"NAV-hjelpemiddel {hms_nr} / {serial} er allerede registrert som {known}.",
                       {"hms_nr": hms_nr, "serial": serial, "barcode": known}, code="duplicate_device")
    line = _find_expected_line(session, hms_nr, serial)
    if line is None:
        arrival = NavArrival(hms_nr=hms_nr, serial=serial, note=note, received_by_id=actor_id)
        session.add(arrival)
        session.flush()
        return Received(None, None, None, arrival,
                        ["Fant ingen ventet ordrelinje fra NAV; hjelpemiddelet er lagt på listen over umatchede mottak."])
    return _receive_against_line(session, actor_id, line, hms_nr, serial, _place(session, location_code, receiving_location),
                                 note)


def _place(session: Session, location_code: str | None, receiving_location: str | None) -> str:
    if location_code:
        # A unit NAV delivers is received into the depot; a van is where units travel, not stand.
        if get_location(session, location_code, field="location_code").kind == "van":
            raise ValidationFailed.for_field("location_code", "En bil er ikke et sted på lageret: velg mottaket "
                                                              "eller en hylle.")
        return location_code
    place = receiving_place(session, receiving_location)
    if place is None:
        raise ValidationFailed.for_field("location_code", "Velg hvor hjelpemiddelet står.")
    return place.code


def _receive_against_line(session: Session, actor_id: int, line: NavOrderLine, hms_nr: str, serial: str,
                          location_code: str, note: str) -> Received:
    product = nav_product(session, line.hms_nr, line.description, line.category_num,
                           individually_tracked=line.item_type == "Individstyrt hjelpemiddel")
    device = register_device(session, actor_id, product.id, owner="nav", nav_hms_nr=hms_nr, nav_serial=serial,
                             location_code=location_code,
                             note=note or f"Mottatt fra NAV, ordre {line.ordre_number} linje {line.line_number}")
    line.received_quantity += 1
    if line.received_quantity >= line.quantity:
        line.state = "received"
    messages = []
    need = _need_for_line(session, actor_id, line, product)
    if need is None:
        messages.append("Ordrelinjen gjelder en innbygger som ikke er registrert her; registrer innbyggeren og "
                        "knytt hjelpemiddelet til behovet.")
    else:
        need.nav_status = "received"
        lending.record_need_event(session, need, "nav_received", actor_id, device_id=device.id,
                                  note=f"{product.name} mottatt fra NAV ({hms_nr} / {serial})")
        try:
            lending.claim_device_for_need(session, device, need, actor_id, note="mottatt fra NAV")
        except (Conflict, InvalidState) as problem:
            messages.append(f"Ikke reservert for behovet: {problem.message}")
    session.flush()
    return Received(device, line, need, None, messages)


def list_arrivals(session: Session, status: str | None = "open", limit: int = 200, offset: int = 0) -> list[NavArrival]:
    return list(session.scalars(arrivals_stmt(status).limit(limit).offset(offset)))


def arrivals_page(session: Session, number: int = 1, size: int = PAGE_SIZE, status: str | None = "open") -> Page:
    return offset_page(session, arrivals_stmt(status), number, size)


def arrivals_stmt(status: str | None):
    stmt = select(NavArrival).order_by(NavArrival.received_at.desc(), NavArrival.id.desc())
    return stmt.where(NavArrival.status == status) if status else stmt


def resolve_arrival(session: Session, actor_id: int, arrival_id: int, resolution: str,
                    order_line_id: int | None = None, location_code: str | None = None,
                    receiving_location: str | None = None) -> NavArrival:
    """Settle an unmatched arrival: receive it against a named order line, or close it with a note
    (sent back to NAV, belongs to another municipality ...)."""
    arrival = session.scalar(select(NavArrival).where(NavArrival.id == arrival_id).with_for_update())
    if arrival is None:
        raise NotFound(f"Fant ikke mottak {arrival_id}.", {"arrival_id": arrival_id})
    if arrival.status != "open":
        raise InvalidState("Mottaket er allerede avklart.", {"current_state": arrival.status, "allowed": ["open"]})
    if not resolution.strip():
        raise ValidationFailed.for_field("resolution", "Skriv hva som ble gjort med hjelpemiddelet.")
    if order_line_id is not None:
        line = session.get(NavOrderLine, order_line_id, with_for_update=True)
        if line is None:
            raise ValidationFailed.for_field("order_line_id", f"Fant ikke ordrelinje {order_line_id}.")
        if line.state != "expected" or line.hms_nr != arrival.hms_nr:
            raise ValidationFailed.for_field("order_line_id", "Ordrelinjen venter ikke på dette HMS-nummeret.")
        received = _receive_against_line(session, actor_id, line, arrival.hms_nr, arrival.serial,
                                         _place(session, location_code, receiving_location), f"Avklart mottak: {resolution}")
        arrival.order_line_id, arrival.device_id = line.id, received.device.id
    arrival.status, arrival.resolution, arrival.resolved_by_id, arrival.resolved_at = "resolved", resolution, actor_id, utcnow()
    session.flush()
    return arrival
