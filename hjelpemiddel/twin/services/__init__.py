"""The digital twin's services: the map (``depot_map``), time travel (``history``), the overview and
minimum stock (``overview``), over the places (``places``)."""
from .checkpoints import build_checkpoints, checkpoint_counts, drop_checkpoints
from .depot_map import DepotMap, depot_map, place_by_code, product_ids_matching
from .exports import (AREA_HEADINGS, HIT_HEADINGS, ISO_CLASS_HEADINGS, KIND_HEADINGS, MINIMUM_HEADINGS,
                      OWNER_HEADINGS, PLACE_HEADINGS, PLACE_UNIT_HEADINGS, PRODUCT_HEADINGS, area_export_rows,
                      hit_export_rows, kind_export_rows, map_places, minimum_export_rows, owner_export_rows,
                      place_export_rows, place_unit_export_rows, product_export_rows)
from .history import counts_at, device_at, units_at
from .overview import (OWNER_LABELS, list_minimums, remove_minimum, set_minimum, units_by_owner,
                       units_by_place_kind, units_by_product)
from .places import GROUP_LABELS, GROUPS, PURPOSE_LABELS, Place, count_by_place, load_places, roll_up, subtree_ids

__all__ = ["build_checkpoints", "checkpoint_counts", "drop_checkpoints", "DepotMap", "GROUPS", "GROUP_LABELS", "OWNER_LABELS", "PURPOSE_LABELS", "Place", "count_by_place", "counts_at", "roll_up",
           "depot_map", "device_at", "list_minimums", "load_places", "place_by_code", "product_ids_matching",
           "remove_minimum", "set_minimum", "subtree_ids", "units_at", "units_by_owner", "units_by_place_kind",
           "units_by_product",
           "AREA_HEADINGS", "HIT_HEADINGS", "ISO_CLASS_HEADINGS", "KIND_HEADINGS", "MINIMUM_HEADINGS", "OWNER_HEADINGS",
           "PLACE_HEADINGS", "PLACE_UNIT_HEADINGS", "PRODUCT_HEADINGS", "area_export_rows", "hit_export_rows",
           "kind_export_rows", "map_places", "minimum_export_rows", "owner_export_rows", "place_export_rows",
           "place_unit_export_rows", "product_export_rows"]
