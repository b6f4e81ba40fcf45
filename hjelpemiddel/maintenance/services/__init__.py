"""Maintenance, split by topic: washing and inspection, repairs, quarantine. Import from here."""
from .cleaning import (CLEANING_METHODS, IN_MAINTENANCE, awaits_nav_decision, check_inspectable,
                       checklist_for_device, clean_device, devices_in_maintenance, inspect_device)
from .quarantine import (QUARANTINE_SORTS, REASON_LABELS, QuarantinedUnit, list_quarantined, quarantine_device,
                         release_device, release_options)
from .repairs import (complete_repair, get_repair, list_repairs, open_depot_repair,
                      open_repair, resume_after_repair, scrap_device)

__all__ = [
    "CLEANING_METHODS", "IN_MAINTENANCE", "QUARANTINE_SORTS", "REASON_LABELS", "QuarantinedUnit",
    "awaits_nav_decision", "check_inspectable", "checklist_for_device", "clean_device", "complete_repair",
    "devices_in_maintenance",
    "get_repair", "inspect_device", "list_quarantined", "list_repairs", "open_depot_repair", "open_repair",
    "quarantine_device", "release_device", "release_options", "resume_after_repair", "scrap_device",
]
