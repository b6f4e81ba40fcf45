"""Recalls, split by topic: registering a notice (finding and acting on its units), and the list,
board, handling and closing. Import from here."""
from .board import (FOUND_LABELS, RECALL_STATUS_LABELS, SELECTION_LABELS, STATUS_LABELS, BoardRow, CsvRow,
                    RecallSummary, board_counts, close_recall, describe_recall, get_recall, list_recalls,
                    mark_recall_unit_handled, recall_board, recall_export, RECALL_HEADINGS, recall_export_rows,
                    BOARD_HEADINGS, board_export_rows)
from .handling import recall_unit_back_on_shelf
from .register import (ACTION_LABELS, MAX_SERIALS, QUARANTINE_BATCH, RECALL_HOLD, apply_recall_quarantines,
                       recalls_waiting_for_quarantine, register_recall, selection_filter)

__all__ = [
    "BOARD_HEADINGS", "board_export_rows",
    "RECALL_HEADINGS", "recall_export_rows",
    "ACTION_LABELS", "QUARANTINE_BATCH", "RECALL_HOLD", "apply_recall_quarantines", "recalls_waiting_for_quarantine", "FOUND_LABELS", "MAX_SERIALS", "RECALL_STATUS_LABELS", "SELECTION_LABELS", "STATUS_LABELS",
    "BoardRow", "CsvRow", "RecallSummary", "board_counts", "close_recall", "describe_recall", "get_recall",
    "list_recalls", "mark_recall_unit_handled", "recall_board", "recall_export", "recall_unit_back_on_shelf",
    "register_recall",
    "selection_filter",
]
