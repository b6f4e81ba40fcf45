"""Logistics, split by topic: runs and what they show, visits from the lending process, planning,
picking, outcomes on the road, and the run documents' data. Import from here."""
from .documents import delivery_log_data, pick_list_data
from .exports import RUN_HEADINGS, run_export_rows
from .outcomes import UnvisitedStopsOpen, finish_run, open_stops, record_outcome, start_run
from .picking import PickResult, pick_device, pick_list
from .planning import merge_doors, plan_runs
from .runs import (ACTION_LABELS, ACTION_VERBS, OUTCOME_LABELS, RUN_STATUS_LABELS, STOP_STATUS_LABELS, ItemView,
                   RunView, StopView, check_run_access, create_run, get_run, kind_label, list_runs, run_stops,
                   run_view, stop_items, stop_views, unplanned_stops)
from .visits import (add_inspection_visit, add_repair_visit, collect_open_stops, door_key, move_stop, open_visit, plan_repair_visit,
                     postpone_repair_visit, set_stop_window, swap_unit_on_visits, take_returned_unit_off_visits,
                     take_unit_off_visits)

__all__ = [
    "RUN_HEADINGS", "run_export_rows",
    "ACTION_LABELS", "ACTION_VERBS", "OUTCOME_LABELS", "RUN_STATUS_LABELS", "STOP_STATUS_LABELS", "ItemView",
    "PickResult", "RunView", "StopView", "UnvisitedStopsOpen", "add_inspection_visit", "add_repair_visit", "check_run_access",
    "collect_open_stops", "create_run",
    "delivery_log_data", "door_key", "finish_run", "get_run", "kind_label", "list_runs", "merge_doors", "move_stop",
    "open_stops", "open_visit", "pick_device", "pick_list", "pick_list_data", "plan_repair_visit", "plan_runs",
    "postpone_repair_visit", "record_outcome", "run_stops", "run_view", "set_stop_window", "start_run",
    "stop_items", "stop_views", "swap_unit_on_visits", "take_returned_unit_off_visits", "take_unit_off_visits",
    "unplanned_stops",
]
