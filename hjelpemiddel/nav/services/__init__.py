"""The municipality's side of NAV, split by topic: the order-line sync (upcoming deliveries),
receiving NAV devices, NAV loans at home and returns to NAV, spare-part orders, long-term
applications, and the outbox that delivers what the depot tells NAV. Import from here.

Everything here talks to NAV through ``integrations.nav.port`` only; the port is passed in.
Services flush and never commit."""
from .applications import (APPLICATION_STATUS_LABELS, application_for_need, enqueue_application,
                           open_application_ids, refresh_application)
from .common import SHIPPED_STATUSES, enqueue, expected_date, nav_date, next_working_day, order_line_status_label
from .exports import (ARRIVAL_HEADINGS, NAV_RETURN_HEADINGS, PART_ORDER_HEADINGS, UPCOMING_HEADINGS, arrival_export_rows,
                      nav_return_export_rows, part_order_export_rows, upcoming_export_rows)
from .loans import import_citizen_nav_loans, nav_returns_awaiting_decision, return_nav_device
from .outbox import OUTBOX_RETRY_CAP, deliver_outbox_message, due_outbox_ids, outbox_summary
from .part_orders import (LEVERING_LABELS, MAX_PART_ORDERS_PER_24H, PART_ORDER_FINAL, PART_STATUS_LABELS,
                          get_part_order, list_part_orders, match_part_shipments, open_part_order_ids, order_parts, part_order_status_label,
                          refresh_part_order)
from .receiving import Received, arrivals_page, list_arrivals, nav_product, receive_nav_device, resolve_arrival
from .sync import (LINE_STATE_LABELS, SYNC_NAME, ApplyResult, PageResult, UpcomingDelivery, apply_order_lines,
                   count_order_lines, get_sync_state, match_needs, record_sync_failure, reset_sync_cursor,
                   sync_order_lines_page, upcoming_deliveries, upcoming_page, expected_lines_for)

__all__ = [
    "ARRIVAL_HEADINGS", "NAV_RETURN_HEADINGS", "PART_ORDER_HEADINGS", "UPCOMING_HEADINGS", "arrival_export_rows",
    "nav_return_export_rows", "part_order_export_rows", "upcoming_export_rows",
    "APPLICATION_STATUS_LABELS", "LEVERING_LABELS", "LINE_STATE_LABELS", "MAX_PART_ORDERS_PER_24H", "OUTBOX_RETRY_CAP",
    "PART_ORDER_FINAL", "PART_STATUS_LABELS", "SYNC_NAME", "ApplyResult", "PageResult", "Received",
    "UpcomingDelivery", "application_for_need", "apply_order_lines", "count_order_lines", "deliver_outbox_message",
    "due_outbox_ids", "enqueue", "enqueue_application", "expected_date", "get_part_order", "get_sync_state",
    "import_citizen_nav_loans", "list_arrivals", "list_part_orders", "match_needs", "match_part_shipments", "nav_date", "nav_product",
    "nav_returns_awaiting_decision", "next_working_day", "order_line_status_label", "SHIPPED_STATUSES", "open_application_ids", "open_part_order_ids",
    "order_parts", "outbox_summary", "part_order_status_label", "receive_nav_device", "record_sync_failure",
    "refresh_application", "refresh_part_order", "reset_sync_cursor", "resolve_arrival", "return_nav_device",
    "sync_order_lines_page", "upcoming_deliveries", "upcoming_page", "expected_lines_for", "arrivals_page",
]
