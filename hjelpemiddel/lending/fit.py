"""Does this unit fit this need: the one rule, in Python for a unit in hand and in SQL for a search
in either direction (free units for a need; needs in the queue for a unit). A NAV order line is a
unit still to come, described by its article and category."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, false, func, literal, or_

from ..catalog.models import Product
from ..stock.models import Device
from .models import Need

# Short-term loans come from municipal stock; NAV's units go out only on NAV's long-term loans.
OWNER_FOR = {"short_term": "kommune", "long_term": "nav"}
APPLICATION_FOR = {owner: application for application, owner in OWNER_FOR.items()}


@dataclass(frozen=True)
class Candidate:
    """A unit as the rule sees it: its product (None when the catalogue does not know it yet), its
    ISO class (6 digits, or NAV's 8) and its owner."""

    product_id: int | None
    iso_class: str
    owner: str

    @classmethod
    def of(cls, device: Device, product: Product) -> "Candidate":
        return cls(device.product_id, product.iso_class, device.owner)


def owner_fits(candidate: Candidate, need: Need) -> bool:
    return candidate.owner == OWNER_FOR[need.application_type]


def product_fits(candidate: Candidate, need: Need) -> bool:
    """A need for a named product takes that product; a need for an ISO class any product in it."""
    if need.product_id is not None:
        return candidate.product_id == need.product_id
    return bool(need.iso_class) and candidate.iso_class.startswith(need.iso_class)


def fits(candidate: Candidate, need: Need) -> bool:
    return owner_fits(candidate, need) and product_fits(candidate, need)


def units_fitting(need: Need):
    """SQL criteria on ``Device`` joined with ``Product``: the units that fit ``need``."""
    product = (Device.product_id == need.product_id if need.product_id is not None
               else Product.iso_class.startswith(need.iso_class))
    return and_(Device.owner == OWNER_FOR[need.application_type], product)


def needs_fitting(candidate: Candidate):
    """SQL criteria on ``Need``: the needs ``candidate`` fits."""
    iso_prefix = func.substr(literal(candidate.iso_class), 1, func.length(Need.iso_class))
    by_product = Need.product_id == candidate.product_id if candidate.product_id is not None else false()
    return and_(Need.application_type == APPLICATION_FOR[candidate.owner],
                or_(by_product,
                    and_(Need.product_id.is_(None), Need.iso_class.is_not(None), iso_prefix == Need.iso_class)))


def needs_fitting_products():
    """SQL criteria on ``Need`` joined with ``Product``: the product's units fit the need by product or
    ISO class (``product_fits`` for every product at once; the owner is left to the caller)."""
    iso_prefix = func.substr(Product.iso_class, 1, func.length(Need.iso_class))
    return or_(Need.product_id == Product.id,
               and_(Need.product_id.is_(None), Need.iso_class.is_not(None), iso_prefix == Need.iso_class))
