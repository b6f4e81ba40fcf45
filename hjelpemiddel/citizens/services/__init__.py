"""Citizens' services: access and the fnr log (``access``), admin's follow-up of the log
(``follow_up``), retention (``retention``) and key rotation (``keys``)."""
from .access import (DEFAULT_LOOKUPS_PER_HOUR, FNR_ROLES, NOT_ACCESSIBLE, PURPOSE_TEXT_MAX, PURPOSES, add_caseworker,
                     check_citizen_access, check_lookup_rate, find_citizen_by_fnr, fnr_access_log, fnr_for_nav,
                     fnr_sent_to_nav, citizens_page, list_citizens, masked_name, may_see_citizen, purpose_label, register_citizen,
                     require_purpose, reveal_fnr)
from .follow_up import FOLLOW_UP_HEADINGS, FollowUpPage, FollowUpRow, access_follow_up, follow_up_export_rows
from .keys import RotationBatch, rotate_keys_batch
from .retention import (ANONYMISED_NAME, anonymise_citizen, anonymised_hash, count_access_log_older_than,
                        purge_access_log_batch, record_access_log_purge)

__all__ = [
    "FOLLOW_UP_HEADINGS", "follow_up_export_rows",
    "ANONYMISED_NAME", "DEFAULT_LOOKUPS_PER_HOUR", "FNR_ROLES", "NOT_ACCESSIBLE", "PURPOSES", "PURPOSE_TEXT_MAX",
    "FollowUpPage", "FollowUpRow", "RotationBatch", "access_follow_up", "add_caseworker", "anonymise_citizen",
    "anonymised_hash", "check_citizen_access", "check_lookup_rate", "count_access_log_older_than",
    "find_citizen_by_fnr", "fnr_access_log", "fnr_for_nav", "fnr_sent_to_nav", "citizens_page", "list_citizens", "masked_name",
    "may_see_citizen", "purge_access_log_batch", "purpose_label", "record_access_log_purge", "register_citizen",
    "require_purpose", "reveal_fnr", "rotate_keys_batch",
]
