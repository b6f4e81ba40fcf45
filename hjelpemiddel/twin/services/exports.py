"""The twin's tables as rows for a download (``core.exports``): the map's places, the search's hits and
the units at homes by postcode; a place's units; the overview's tables. Units are read by ``streamed``
(a depot of a million units in bounded memory); the other tables are counts from the summary the
triggers keep, one row per place, postcode, kind of place, owner, product or minimum."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ...catalog.iso import format_iso_class, iso_title
from ...core.errors import ValidationFailed
from ...core.paging import streamed
from ...stock.lifecycle import STATE_LABELS
from .depot_map import DepotMap
from .history import units_at_stmt
from .overview import Row, Shortfall, product_counts_stmt
from .places import GROUP_LABELS

PLACE_HEADINGS = ("Plass", "Navn", "Formål", "Enheter", "Kapasitet", *GROUP_LABELS.values())
HIT_HEADINGS = ("Plass", "Navn", "Formål", "Ledige av det søkte")
AREA_HEADINGS = ("Postnummer", "Enheter hos innbyggere")
PLACE_UNIT_HEADINGS = ("Strekkode", "Produkt", "Status", "Plass", "Siden")
KIND_HEADINGS = ("Hvor", "Enheter", "Ledige")
OWNER_HEADINGS = ("Eier", "Enheter", "Ledige")
PRODUCT_HEADINGS = ("Produkt", "HMS-nr", "ISO-klasse", "Enheter", "Ledige")
ISO_CLASS_HEADINGS = ("ISO-klasse", "Betegnelse", "Enheter", "Ledige")
MINIMUM_HEADINGS = ("Produkt eller klasse", "Minimum", "Ledige nå", "Mangler")


def map_places(the_map: DepotMap) -> list:
    """The places the map's table lists: bins, and racks or shelves only when units stand on them, by code."""
    return sorted((p for p in the_map.shown if p.kind == "bin" or (p.kind != "zone" and p.counts)),
                  key=lambda p: p.code)


def place_export_rows(the_map: DepotMap):
    """The map's table (every page of it): one row per place with its units by what they are doing."""
    return ((p.code, p.name, p.purpose_label, p.units, p.capacity, *(p.counts.get(g, 0) for g in GROUP_LABELS))
            for p in map_places(the_map))


def hit_export_rows(the_map: DepotMap):
    """The places holding available units of the searched product, nearest the door first."""
    return ((p.code, p.name, p.purpose_label, p.hit_units) for p in the_map.hits)


def area_export_rows(the_map: DepotMap):
    return ((area.postcode, area.units) for area in the_map.areas)


def place_unit_export_rows(session: Session, place_ids: set[int], at: datetime | None):
    """Every unit at the places (now, or at ``at``), read in batches by barcode."""
    return ((barcode, product, STATE_LABELS.get(state, state), code, since)
            for barcode, product, state, code, since in streamed(session, units_at_stmt(place_ids, at)))


def kind_export_rows(kinds: list[Row] | None):
    """Units by kind of place; a moment before the checkpoints is refused, not answered as an empty file."""
    if kinds is None:
        raise ValidationFailed.for_field(
            "date", "Historikken er ikke samlet så langt tilbake ennå (den samles hver natt).")
    return ((row.label, row.units, row.available) for row in kinds)


def owner_export_rows(owners: list[Row]):
    return ((row.label, row.units, row.available) for row in owners)


def product_export_rows(session: Session, q: str | None, by_class: bool = False):
    """Units and available units per product (or ISO class) matching ``q``, the most units first."""
    rows = streamed(session, product_counts_stmt(q, by_class))
    if by_class:
        return ((format_iso_class(iso), iso_title(iso) or None, int(units), int(available))
                for iso, units, available in rows)
    return ((name, hms_nr, format_iso_class(iso) if iso else None, int(units), int(available))
            for name, hms_nr, iso, units, available in rows)


def minimum_export_rows(minimums: list[Shortfall]):
    return ((m.label, m.minimum, m.available, m.missing) for m in minimums)
