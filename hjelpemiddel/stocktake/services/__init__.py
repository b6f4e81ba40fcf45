"""Stocktake services, split by topic: counting, the result, approving adjustments, the cycle-count
plan. Import from here."""
from .adjustments import MISSING_EVENT, ApproveSummary, approve_all, approve_line
from .counting import (STOCKTAKE_HEADINGS, stocktake_export_rows, CountScan, Progress, StocktakeRow, describe_stocktake, list_stocktakes, scan_in_stocktake,
                       start_stocktake, stocktake_progress)
from .plan import CLASS_TEXT, INTERVAL_DAYS, PlanRow, abc_class, cycle_plan
from .results import (DECISION_LABELS, OUTCOME_LABELS, ResultLine, StocktakeReport, close_stocktake, result_lines,
                      result_page, result_summary, stocktake_report)
from .scope import get_stocktake

__all__ = [
    "STOCKTAKE_HEADINGS", "stocktake_export_rows",
    "CLASS_TEXT", "DECISION_LABELS", "INTERVAL_DAYS", "MISSING_EVENT", "OUTCOME_LABELS", "ApproveSummary", "CountScan",
    "PlanRow", "Progress", "ResultLine", "StocktakeReport", "StocktakeRow", "abc_class", "approve_all", "approve_line",
    "close_stocktake", "cycle_plan", "describe_stocktake", "get_stocktake", "list_stocktakes", "result_lines",
    "result_page", "result_summary", "scan_in_stocktake", "start_stocktake", "stocktake_progress", "stocktake_report",
]
