"""Maintenance, split by topic: washing and inspection, maintenance plans and periodic inspection,
repairs and spare parts, quarantine, failure figures. Import from here."""
from .cleaning import (CLEANING_METHODS, IN_MAINTENANCE, awaits_nav_decision, check_inspectable, checked_answers,
                       checklist_for_device, clean_device, devices_in_maintenance, in_maintenance_stmt, inspect_device,
                       inspection_text)
from .exports import (FAILURE_HEADINGS, IN_MAINTENANCE_HEADINGS, MOVEMENT_HEADINGS, PLAN_HEADINGS, QUARANTINE_HEADINGS,
                      SPARE_PART_HEADINGS, failure_export_rows, in_maintenance_export_rows, movement_export_rows,
                      plan_export_rows, quarantine_export_rows, spare_part_export_rows)
from .periodic import inspection_history, record_periodic_inspection
from .plans import (CHECKLIST_NAMES, DEFAULT_PLANS, WARNING_DAYS, Schedule, add_default_plans,
                    check_inspection_current, delete_plan, drop_retired_device, due_date, list_plans,
                    not_overdue_clause, overdue_since, save_plan, schedule_for_product, schedule_inspections, schedule_registered_device)
from .quarantine import (QUARANTINE_SORTS, REASON_LABELS, QuarantinedUnit, list_quarantined, open_quarantine,
                         quarantine_device,
                         release_device, release_options)
from .repairs import (complete_repair, device_warranty, get_repair, list_repairs, open_depot_repair,
                      open_repair, resume_after_repair, scrap_device)
from .parts import (MOVEMENT_REASON_LABELS, MovementLine, SparePartView, count_spare_part, create_spare_part, find_spare_part, get_spare_part,
                    list_movement_lines, list_part_movements, list_spare_parts, receive_spare_part, spare_part_view, update_spare_part,
                    use_spare_parts)
from .failures import FailureFigure, ProductRow, failure_figures, figures_from_rows

__all__ = [
    "FAILURE_HEADINGS", "IN_MAINTENANCE_HEADINGS", "MOVEMENT_HEADINGS", "PLAN_HEADINGS", "QUARANTINE_HEADINGS",
    "SPARE_PART_HEADINGS", "failure_export_rows", "in_maintenance_export_rows", "movement_export_rows",
    "plan_export_rows", "quarantine_export_rows", "spare_part_export_rows",
    "CHECKLIST_NAMES", "DEFAULT_PLANS", "WARNING_DAYS", "Schedule", "add_default_plans", "check_inspection_current",
    "delete_plan", "drop_retired_device", "due_date", "list_plans", "not_overdue_clause", "overdue_since", "save_plan",
    "schedule_for_product", "schedule_inspections", "schedule_registered_device", "inspection_history",
    "record_periodic_inspection", "checked_answers", "inspection_text",
    "CLEANING_METHODS", "IN_MAINTENANCE", "QUARANTINE_SORTS", "REASON_LABELS", "QuarantinedUnit",
    "awaits_nav_decision", "check_inspectable", "checklist_for_device", "clean_device", "complete_repair",
    "devices_in_maintenance", "in_maintenance_stmt",
    "get_repair", "inspect_device", "list_quarantined", "list_repairs", "open_depot_repair", "open_repair",
    "open_quarantine", "quarantine_device", "release_device", "release_options", "resume_after_repair", "scrap_device",
    "SparePartView", "count_spare_part", "create_spare_part", "find_spare_part", "get_spare_part",
    "MOVEMENT_REASON_LABELS", "MovementLine", "list_movement_lines", "list_part_movements", "list_spare_parts", "receive_spare_part", "spare_part_view", "update_spare_part",
    "use_spare_parts", "device_warranty", "FailureFigure", "ProductRow", "failure_figures", "figures_from_rows",
]
