"""The demo catalogue: ~400 products from the product lines in ``products.txt`` (one product per
variant), and how each ISO 9999 class is stocked."""
from __future__ import annotations

import random
from dataclasses import dataclass
from importlib import resources

from sqlalchemy.orm import Session

from ..catalog.models import Product
from .bulk import bulk_insert

PRODUCTS_FILE = "products.txt"  # ISO class | supplier | name stem | variants (;) | flags


@dataclass(frozen=True)
class ClassPlan:
    """How an ISO 9999 class is stocked: its zone, units in the depot, share owned by NAV,
    share of units with a manufacturer serial number."""

    zone: str
    devices: int
    nav_share: float
    serial_share: float


CLASSES: dict[str, ClassPlan] = {
    "043303": ClassPlan("A", 160, 0.10, 0.85),   # sitteputer
    "043306": ClassPlan("E", 130, 0.10, 0.80),   # madrasser
    "091203": ClassPlan("C", 200, 0.08, 0.80),   # toalettstoler
    "091212": ClassPlan("C", 150, 0.00, 0.10),   # toalettforhøyere
    "091218": ClassPlan("A", 90, 0.00, 0.15),    # toalettarmlener
    "093303": ClassPlan("C", 310, 0.05, 0.60),   # dusjstoler
    "093312": ClassPlan("C", 60, 0.00, 0.20),    # badekarbrett
    "120303": ClassPlan("A", 20, 0.00, 0.10),    # gåstokker
    "120306": ClassPlan("A", 0, 0.00, 0.00),     # albuekrykker: løsvare only
    "120603": ClassPlan("B", 40, 0.00, 0.30),    # gåbukker
    "120606": ClassPlan("B", 600, 0.12, 0.95),   # rullatorer
    "120612": ClassPlan("B", 70, 0.10, 0.90),    # gåbord
    "122203": ClassPlan("D", 390, 0.12, 0.98),   # manuelle rullestoler
    "122218": ClassPlan("D", 110, 0.15, 0.98),   # ledsagerstyrte rullestoler
    "122306": ClassPlan("F", 40, 0.35, 1.00),    # elektriske rullestoler
    "122703": ClassPlan("A", 60, 0.10, 0.80),    # rygg- og hodestøtter
    "123103": ClassPlan("A", 70, 0.00, 0.30),    # glidebrett og glidematter
    "123603": ClassPlan("F", 45, 0.20, 1.00),    # mobile personløftere
    "123612": ClassPlan("F", 25, 0.20, 1.00),    # takløftere
    "123621": ClassPlan("A", 160, 0.10, 0.95),   # løfteseler
    "181210": ClassPlan("E", 150, 0.20, 1.00),   # senger
    "181227": ClassPlan("E", 70, 0.10, 0.50),    # sengehester
    "183015": ClassPlan("D", 35, 0.00, 0.40),    # bærbare ramper
    "183018": ClassPlan("D", 15, 0.00, 0.30),    # faste ramper
}

_INSPECTION_DAYS = {"123603": 365, "123612": 365, "123621": 182}
_YEARLY_INSPECTION_FLAG = "kontroll"
_UNTRACKED_FLAG = "løs"  # løsvare: counted, not labelled unit by unit


@dataclass(frozen=True)
class ProductLine:
    iso_class: str
    supplier: str
    stem: str
    variants: tuple[str, ...]
    flags: frozenset[str]


@dataclass(frozen=True)
class ProductSpec:
    name: str
    supplier: str
    iso_class: str
    hms_nr: str | None
    individually_tracked: bool
    inspection_interval_days: int | None


def _product_lines() -> list[ProductLine]:
    lines = []
    for raw in resources.files(__package__).joinpath(PRODUCTS_FILE).read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        iso, supplier, stem, variants, *flags = [cell.strip() for cell in raw.split("|")]
        lines.append(ProductLine(iso, supplier, stem, tuple(v.strip() for v in variants.split(";")), frozenset(flags)))
    return lines


def plan_products(rng: random.Random) -> list[ProductSpec]:
    lines = _product_lines()
    hms_numbers = iter(rng.sample(range(10_000, 330_000), sum(len(line.variants) for line in lines)))
    products = []
    for line in lines:
        tracked = _UNTRACKED_FLAG not in line.flags
        interval = _INSPECTION_DAYS.get(line.iso_class) or (365 if _YEARLY_INSPECTION_FLAG in line.flags else None)
        for variant in line.variants:
            hms = f"{next(hms_numbers):06d}"
            municipal_only = rng.random() < (0.05 if tracked else 0.5)
            products.append(ProductSpec(f"{line.stem} {variant}", line.supplier, line.iso_class,
                                        None if municipal_only else hms, tracked, interval))
    return products


def insert_products(session: Session, products: list[ProductSpec]) -> list[int]:
    rows = [{"name": p.name, "supplier": p.supplier, "iso_class": p.iso_class, "hms_nr": p.hms_nr,
             "individually_tracked": p.individually_tracked, "inspection_interval_days": p.inspection_interval_days}
            for p in products]
    return bulk_insert(session, Product, rows)
