"""Demo citizens and their needs in every stage, made through the real services so the demo
shows what the process produces: waiting applications, reservations, loans, returns, the queue."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..citizens.services import register_citizen
from ..core.crypto import FnrVault
from ..core.db import utcnow
from ..core.text import local_today
from ..core.fnr import make_fnr
from ..lending import services as lending
from ..stock.services import create_location
from ..stock.models import Device
from .depot import DEPOT_CODE

FIRST_NAMES = ("Astrid", "Ola", "Kari", "Per", "Ingrid", "Arne", "Solveig", "Knut", "Berit", "Olav", "Randi", "Helge",
               "Gunnhild", "Bjørn", "Marit", "Odd", "Liv", "Terje", "Aud", "Svein")
LAST_NAMES = ("Olsen", "Hansen", "Johansen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
              "Karlsen", "Halvorsen", "Eide", "Gjerde", "Vik", "Fjeld")
STREETS = (("Kaibakken", "6509"), ("Langveien", "6508"), ("Fosnagata", "6509"), ("Vågeveien", "6508"),
           ("Storgata", "6509"), ("Nordlandsveien", "6512"), ("Dalabrekka", "6511"), ("Kongens gate", "6509"),
           ("Innlandsveien", "6517"), ("Frei-veien", "6523"))
ACCESS_NOTES = ("", "", "Nøkkelboks ved inngangen, kode 2580", "Ring på hos nabo i 1. etasje", "Dørkode 1947",
                "Bratt innkjørsel – parker nede ved postkassene")
# ISO classes a discharge typically needs, most common first.
NEED_CLASSES = ("120606", "093303", "091212", "181210", "122203")
# What happens to each demo need: the share of needs, by outcome.
OUTCOMES = (("on_loan", 30), ("returning", 8), ("reserved", 14), ("registered", 16), ("long_term", 8), ("queued", 6),
            ("rejected", 4))


def _fnrs(rng: random.Random):
    while True:
        birth = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 30 * 365))
        fnr = make_fnr(birth.strftime("%d%m%y"), f"{rng.randrange(0, 500):03d}")
        if fnr:
            yield fnr


def _products_in_stock(session: Session) -> dict[str, list[int]]:
    rows = session.execute(select(Product.iso_class, Product.id, func.count(Device.id))
                           .join(Device, Device.product_id == Product.id)
                           .where(Device.state == "available", Product.iso_class.in_(NEED_CLASSES))
                           .group_by(Product.iso_class, Product.id).having(func.count(Device.id) >= 2)
                           .order_by(Product.iso_class, Product.id))
    stocked: dict[str, list[int]] = {}
    for iso_class, product_id, _count in rows:
        stocked.setdefault(iso_class, []).append(product_id)
    return stocked


def _unstocked_product(session: Session) -> int | None:
    available = select(Device.product_id).where(Device.state == "available")
    return session.scalar(select(Product.id).where(Product.individually_tracked.is_(True), Product.id.not_in(available),
                                                   Product.iso_class.in_(NEED_CLASSES)).order_by(Product.id).limit(1))


def load_demo_lending(session: Session, vault: FnrVault, rng: random.Random, therapist_id: int, lager_id: int,
                      citizens: int = 40) -> dict[str, int]:
    for code, name in (("BIL1", "Bil 1 – Ford Transit"), ("BIL2", "Bil 2 – VW Crafter med løftebakke")):
        create_location(session, code, "van", name, parent_code=DEPOT_CODE)
    stocked = _products_in_stock(session)
    unstocked = _unstocked_product(session)
    fnrs = _fnrs(rng)
    outcomes = [name for name, weight in OUTCOMES for _ in range(weight)]
    needs = 0
    for _ in range(citizens):
        street, postcode = rng.choice(STREETS)
        citizen = register_citizen(
            session, vault, therapist_id, next(fnrs), f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            f"{street} {rng.randrange(1, 80)}", postcode, "1505", city="Kristiansund",
            phone=f"9{rng.randrange(1000000, 9999999)}", access_notes=rng.choice(ACCESS_NOTES),
            contact_name=rng.choice(("", "Datter", "Sønn", "Ektefelle")), contact_phone="")
        for iso_class in rng.sample(NEED_CLASSES, rng.choice((1, 1, 2, 3))):
            if iso_class not in stocked:
                continue
            outcome = rng.choice(outcomes)
            product_id = unstocked if outcome == "queued" and unstocked else rng.choice(stocked[iso_class])
            urgency = rng.choice(("discharge", "urgent", "normal", "normal"))
            needed_by = local_today() + timedelta(days=rng.randrange(-20, 15))
            need = lending.register_need(
                session, therapist_id, "terapeut", citizen.id, needed_by, urgency,
                "long_term" if outcome == "long_term" else "short_term", product_id=product_id,
                discharge_date=needed_by if urgency == "discharge" else None,
                requested_by=rng.choice(("Sykepleier, ortopedisk post", "Fastlege", "Hjemmetjenesten", "Pårørende")))
            # Registered over the last fortnight, so the waiting report has waits to show.
            need.registered_at = need.status_changed_at = utcnow() - timedelta(hours=rng.randrange(2, 24 * 14))
            needs += 1
            if outcome == "registered":
                continue
            if outcome == "long_term":
                lending.decide_need(session, therapist_id, "terapeut", need.id, "send_to_nav")
                continue
            if outcome == "rejected":
                lending.decide_need(session, lager_id, "lager", need.id, "reject", "Dekkes av institusjonen")
                continue
            lending.decide_need(session, lager_id, "lager", need.id, "approve")
            if outcome in ("on_loan", "returning") and need.status == "reserved":
                barcode = lending.need_units(session, [need.id])[need.id][0].barcode
                loan = lending.hand_over(session, lager_id, barcode, received_by=rng.choice(("Bruker", "Datter", "Sønn")))
                if outcome == "returning":
                    lending.request_return(session, therapist_id, loan.id, rng.choice(("need_ended", "worn_out")))
    return {"innbyggere": citizens, "behov": needs}
