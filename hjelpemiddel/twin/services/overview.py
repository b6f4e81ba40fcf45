"""Where everything is, in numbers: units by kind of place, by owner, by product and by ISO class,
all from the summary the triggers keep; and minimum stock per product or ISO class, with the
shortfalls first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.errors import NotFound, ValidationFailed
from ...stock.lifecycle import DeviceState as S
from ...stock.models import StockMinimum
from ..models import NO_PLACE, PlaceCount, ProductCount
from .checkpoints import checkpoint_counts
from .places import PURPOSE_LABELS, load_places, products_named

OWNER_LABELS = {"kommune": "Kommunen", "nav": "NAV"}
_AWAY_KINDS = {S.ON_LOAN: "citizens", S.AWAITING_PICKUP: "citizens", S.OUT_FOR_DELIVERY: "vans",
               S.RETURNED_TO_NAV: "nav", S.SCRAPPED: "scrapped"}
PLACE_KIND_LABELS = {**PURPOSE_LABELS, "vans": "I bilene", "citizens": "Hos innbyggere", "nav": "Returnert til NAV",
                     "registered": "Registrert, ikke satt på plass",
                     "scrapped": "Kassert"}
_AVAILABLE = func.sum(case((ProductCount.state == S.AVAILABLE, ProductCount.units), else_=0))


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    units: int
    available: int


@dataclass(frozen=True)
class Shortfall:
    id: int
    product_id: int | None
    iso_class: str | None
    label: str
    minimum: int
    available: int

    @property
    def missing(self) -> int:
        return max(self.minimum - self.available, 0)


def units_by_place_kind(session: Session, at: datetime | None = None) -> list[Row] | None:
    """Units and ready units by kind of place, now or (``at``) from the history's month checkpoint and
    the events since; None for a moment before the checkpoints (``hjelpemiddel twin checkpoints``)."""
    places = load_places(session)
    if at is None:
        rows = session.execute(select(PlaceCount.place_id, PlaceCount.state, PlaceCount.units))
    else:
        found = checkpoint_counts(session, [NO_PLACE, *places], at)
        if found is None:
            return None
        rows = [(place_id, state, units) for (place_id, state), units in found.items()]
    totals: dict[str, list[int]] = {}
    for place_id, state, units in rows:
        place = places.get(place_id)
        kind = (_AWAY_KINDS.get(state, "registered") if place_id == NO_PLACE or place is None else
                "vans" if place.kind == "van" else place.purpose)
        into = totals.setdefault(kind, [0, 0])
        into[0] += int(units)
        into[1] += int(units) if state == S.AVAILABLE else 0
    order = list(PLACE_KIND_LABELS)
    return [Row(kind, PLACE_KIND_LABELS.get(kind, "Uten plass"), units, available)
            for kind, (units, available) in sorted(totals.items(), key=lambda kv: order.index(kv[0])
                                                   if kv[0] in order else len(order)) if units]


def units_by_owner(session: Session) -> list[Row]:
    rows = session.execute(select(ProductCount.owner, func.sum(ProductCount.units), _AVAILABLE)
                           .where(ProductCount.state.not_in([S.SCRAPPED, S.RETURNED_TO_NAV]))
                           .group_by(ProductCount.owner).order_by(ProductCount.owner))
    return [Row(owner, OWNER_LABELS.get(owner, owner), int(units), int(available)) for owner, units, available in rows]


def _product_counts(q: str | None, by_class: bool, *columns):
    """Units and available units per product (or ISO class) with ``columns`` first, and the key grouped
    by (for the order); ``q`` filters by name, HMS-nr or ISO class (``products_named``)."""
    key = Product.iso_class if by_class else Product.id
    stmt = (select(*columns, func.sum(ProductCount.units), _AVAILABLE)
            .join(Product, Product.id == ProductCount.product_id)
            .where(ProductCount.state.not_in([S.SCRAPPED, S.RETURNED_TO_NAV])).group_by(key))
    if q and q.strip():
        stmt = stmt.where(products_named(q))
    return stmt, key


def units_by_product(session: Session, q: str | None, limit: int, offset: int, by_class: bool = False
                     ) -> tuple[list[Row], int]:
    """Units and available units per product (or per ISO class), the most units first; ``q`` filters
    by name, HMS-nr or ISO class."""
    label = Product.iso_class if by_class else Product.name
    stmt, key = _product_counts(q, by_class, Product.iso_class if by_class else Product.id, func.min(label))
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.order_by(func.sum(ProductCount.units).desc(), key).limit(limit).offset(offset))
    return [Row(str(k), str(name), int(units), int(available)) for k, name, units, available in rows], total or 0


def product_counts_stmt(q: str | None, by_class: bool = False):
    """Every row of ``units_by_product`` for a download: name, HMS-nr and ISO class per product (or the
    ISO class alone), then units and available units, in the page's order."""
    columns = ((Product.iso_class,) if by_class else
               (func.min(Product.name), func.min(Product.hms_nr), func.min(Product.iso_class)))
    stmt, key = _product_counts(q, by_class, *columns)
    return stmt.order_by(func.sum(ProductCount.units).desc(), key)


def list_minimums(session: Session) -> list[Shortfall]:
    """Every minimum set, with what is available now; those short of it first, the most missing first."""
    minimums = session.scalars(select(StockMinimum)).all()
    by_product = dict(session.execute(select(ProductCount.product_id, func.sum(ProductCount.units))
                                      .where(ProductCount.state == S.AVAILABLE).group_by(ProductCount.product_id)).all())
    classes = dict(session.execute(select(Product.id, Product.iso_class)).all())
    names = dict(session.execute(select(Product.id, Product.name).where(
        Product.id.in_([m.product_id for m in minimums if m.product_id]))).all())
    rows = []
    for minimum in minimums:
        if minimum.product_id is not None:
            available = int(by_product.get(minimum.product_id, 0))
            label = names.get(minimum.product_id, "")
        else:
            available = sum(int(n) for pid, n in by_product.items()
                            if (classes.get(pid) or "").startswith(minimum.iso_class))
            label = f"ISO-klasse {minimum.iso_class}"
        rows.append(Shortfall(minimum.id, minimum.product_id, minimum.iso_class, label, minimum.minimum, available))
    return sorted(rows, key=lambda r: (-r.missing, r.label))


def set_minimum(session: Session, minimum: int, product_id: int | None = None, iso_class: str | None = None
                ) -> StockMinimum:
    """Set (or with 0, keep at 0) the minimum for a product or an ISO class: one of the two."""
    if (product_id is None) == (not iso_class):
        raise ValidationFailed.for_field("product_id", "Velg enten et produkt eller en ISO-klasse.")
    if product_id is not None and session.get(Product, product_id) is None:
        raise NotFound("Fant ikke produktet.")
    if iso_class and not session.scalar(select(Product.id).where(Product.iso_class.startswith(iso_class)).limit(1)):
        raise ValidationFailed.for_field("iso_class", f"Ingen produkter i ISO-klasse {iso_class}.")
    where = StockMinimum.product_id == product_id if product_id is not None else StockMinimum.iso_class == iso_class
    row = session.scalar(select(StockMinimum).where(where).with_for_update())
    if row is None:
        row = StockMinimum(product_id=product_id, iso_class=iso_class or None, minimum=minimum)
        session.add(row)
    row.minimum = minimum
    session.flush()
    return row


def remove_minimum(session: Session, minimum_id: int) -> None:
    row = session.get(StockMinimum, minimum_id)
    if row is None:
        raise NotFound("Fant ikke minimumsbeholdningen.")
    session.delete(row)
    session.flush()
