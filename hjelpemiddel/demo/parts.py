"""The demo's spare parts: a few common parts in the workshop, some below their minimum, each linked
to the catalogue's products of the classes it fits."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..maintenance.services import create_spare_part
from ..stock.models import Location
from ..stock.services import PATH_SEPARATOR

# part number, name, quantity, minimum, the ISO classes it fits
PARTS = [
    ("DEMO-HJ-200", "Forhjul 200 mm, rollator", 12, 6, ("120606",)),
    ("DEMO-BR-01", "Bremsekabel, rollator", 3, 5, ("120606",)),
    ("DEMO-DK-24", "Dekk 24\", manuell rullestol", 8, 4, ("122203", "122218")),
    ("DEMO-ST-01", "Setetrekk, rullestol", 2, 2, ("122203", "122218")),
    ("DEMO-BAT-24", "Batteri 24 V, elektrisk rullestol", 1, 2, ("122306",)),
    ("DEMO-HK-01", "Håndkontroll, seng og løfter", 4, 3, ("181210", "123603", "123612")),
    ("DEMO-LB-M", "Løftebånd str. M", 0, 2, ("123612",)),
]
_LINKED_PRODUCTS = 5


def load_demo_parts(session: Session, actor_id: int | None) -> int:
    # The workshop's first place (the zone itself when it has none below it).
    zone = session.scalar(select(Location).where(Location.purpose == "repair").order_by(Location.id).limit(1))
    inside = f"{zone.path}{PATH_SEPARATOR}{zone.code}".lstrip(" /") if zone else None
    workshop = zone and (session.scalar(select(Location.code).where(
        (Location.path == inside) | Location.path.startswith(inside + PATH_SEPARATOR)).order_by(Location.id).limit(1))
        or zone.code)
    for number, name, quantity, minimum, classes in PARTS:
        products = list(session.scalars(select(Product.id).where(Product.iso_class.in_(classes))
                                        .order_by(Product.id).limit(_LINKED_PRODUCTS)))
        create_spare_part(session, actor_id, number, name, quantity=quantity, minimum_quantity=minimum,
                          location_code=workshop, product_ids=products)
    return len(PARTS)
