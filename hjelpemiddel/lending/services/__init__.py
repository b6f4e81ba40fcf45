"""Lending, split by topic: needs and decisions, reservations and the queue, loans and returns, and
what the pages show. Import from here."""
from ...citizens.services import masked_name
from .exports import (LOAN_HEADINGS, NEED_HEADINGS, READY_HEADINGS, URGENCY_LABELS, loan_export_rows, need_export_rows,
                      queue_export_rows, ready_export_rows, undecided_export_rows)
from .loans import (LOAN_STATUS_LABELS, RETURN_REASON_LABELS, Receipt, check_loan_access, collect_unit,
                    deliver_at_door, extend_loan, get_loan, hand_over, list_loans, list_loans_for,
                    loans_awaiting_return, open_loan, receive_at_depot, request_return)
from .needs import (NAV_STATUS_LABELS, NEED_EVENT_LABELS, NEED_STATUS_LABELS, URGENCY_RANK, Supply, cancel_need, check_need_access,
                    decide_need, get_need, need_supply, open_slots, record_need_event, refresh_status,
                    register_need, register_needs, set_nav_status, set_status)
from .overview import (CitizenEvent, NeedDetail, ReadyUnit, Unit, citizen_timeline, list_needs, need_detail, needs_page,
                       need_timeline, need_units,
                       undecided_needs, units_ready_for_hand_over)
from .reservations import (active_reservation, cancel_reservation, change_reservation, check_may_lend, claim_device_for_need,
                           end_reservation, fill_from_stock, let_go_of_quarantined, offer_device_to_queue,
                           queue_position, reserve_for_need, waiting_needs)

__all__ = [
    "LOAN_HEADINGS", "NEED_HEADINGS", "READY_HEADINGS", "URGENCY_LABELS", "loan_export_rows", "need_export_rows",
    "queue_export_rows", "ready_export_rows", "undecided_export_rows",
    "LOAN_STATUS_LABELS", "NAV_STATUS_LABELS", "NEED_EVENT_LABELS", "NEED_STATUS_LABELS", "RETURN_REASON_LABELS", "URGENCY_RANK",
    "CitizenEvent", "NeedDetail", "ReadyUnit", "Receipt", "Supply", "Unit", "active_reservation", "cancel_need",
    "cancel_reservation", "change_reservation", "check_may_lend", "check_loan_access", "check_need_access", "citizen_timeline", "claim_device_for_need",
    "collect_unit", "decide_need", "deliver_at_door", "end_reservation", "extend_loan", "fill_from_stock",
    "get_loan", "get_need", "hand_over", "let_go_of_quarantined", "list_loans", "list_loans_for", "list_needs", "needs_page",
    "loans_awaiting_return", "masked_name", "need_detail", "need_supply", "need_timeline", "need_units",
    "offer_device_to_queue", "open_loan", "open_slots", "queue_position", "receive_at_depot", "record_need_event",
    "refresh_status", "register_need", "register_needs", "request_return", "reserve_for_need", "set_nav_status", "set_status",
    "undecided_needs", "units_ready_for_hand_over", "waiting_needs",
]
