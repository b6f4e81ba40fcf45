"""Maintenance, split by topic: washing and inspection, repairs, quarantine. Import from here."""
from .cleaning import (CLEANING_METHODS, IN_MAINTENANCE, awaits_nav_decision, checklist_for_device, clean_device,
                       devices_in_maintenance, inspect_device)
from .quarantine import (REASON_LABELS, QuarantinedUnit, list_quarantined, quarantine_device, release_device,
                         release_options)
from .repairs import (RESUME_AFTER_REPAIR, complete_repair, get_repair, list_repairs, open_depot_repair,
                      open_repair)

__all__ = [
    "CLEANING_METHODS", "IN_MAINTENANCE", "REASON_LABELS", "RESUME_AFTER_REPAIR", "QuarantinedUnit",
    "awaits_nav_decision", "checklist_for_device", "clean_device", "complete_repair", "devices_in_maintenance",
    "get_repair", "inspect_device", "list_quarantined", "list_repairs", "open_depot_repair", "open_repair",
    "quarantine_device", "release_device", "release_options",
]
