"""Stock: the depot's locations, its devices with their labels and append-only history, scanning.

Split by topic; import from here. ``change_state`` is the one way a device changes state."""
from .devices import (MAX_LABELS_PER_REQUEST, BulkMoveResult, MoveResult, device_by_barcode, get_device, get_device_by_id,
                      device_page, issue_blank_labels, list_devices, lock_device, move_device, move_devices_in_bulk,
                      not_in_depot, register_device,
                      replace_device_label)
from .exports import DEVICE_HEADINGS, device_export_rows
from .history import (KEEP, HistoryEntry, append_event, apply_state, change_state, device_history, record_event,
                      record_events_in_bulk)
from .labels import OWNER_LABELS, check_start_position, device_label_data, labels_per_sheet, location_label_data, render_labels
from .locations import (PATH_SEPARATOR, check_capacity, children_of, count_devices_at,
                        create_location, depot_root, find_location, get_location, list_locations, location_children,
                        lock_location, normalize_location_code, receiving_place, search_locations,
                        update_location_layout, zone_of)
from .placement import check_place_fit, place_mismatches
from .scanning import ScannedCode, ScanResult, classify_scan, device_from_scan, find_by_scan

__all__ = [
    "DEVICE_HEADINGS", "device_export_rows",
    "KEEP", "MAX_LABELS_PER_REQUEST", "BulkMoveResult", "move_devices_in_bulk", "not_in_depot", "record_events_in_bulk", "OWNER_LABELS", "PATH_SEPARATOR", "HistoryEntry", "MoveResult", "ScanResult",
    "ScannedCode", "check_place_fit", "check_start_position", "labels_per_sheet", "classify_scan", "device_from_scan",
    "place_mismatches", "append_event", "apply_state", "change_state", "check_capacity", "children_of",
    "count_devices_at", "create_location",
    "depot_root", "device_by_barcode", "device_history", "device_label_data", "find_by_scan", "find_location",
    "get_device", "get_device_by_id", "get_location", "device_page", "issue_blank_labels", "list_devices", "list_locations",
    "location_label_data", "lock_device", "lock_location", "move_device", "normalize_location_code",
    "location_children", "search_locations", "receiving_place", "record_event", "register_device", "render_labels", "replace_device_label",
    "update_location_layout", "zone_of",
]
