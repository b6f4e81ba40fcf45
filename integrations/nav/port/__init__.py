"""What the application needs from NAV, in NAV's own terms.

Wire names and codes are NAV's (hm-oebs-listener, hm-oebs-api-proxy, hm-delbestilling-api,
hm-soknad-api); the Python attributes are the same names in snake_case. ``from_wire``/``to_wire``
translate exactly. NAV's rules live here once (``validate_part_order``, ``check_order_rate``,
``validate_application``, ``validate_return``): the application checks with them before sending,
and the fake NAV refuses with them.

One module per topic: ``errors`` (NAV's errors and ``feil`` codes), ``values`` (reading and
checking field values), ``order_lines``, ``loans``, ``part_orders`` (delbestilling and its rules,
the 24-hour limit included), ``returns``, ``applications`` (søknad) and ``protocol`` (``NavPort``).
Import from here: ``from integrations.nav.port import X``.
"""
from .applications import (
    SOKNAD_GRANTED,
    SOKNAD_STATUSES,
    Soknad,
    SoknadHjelpemiddel,
    SoknadSak,
    SoknadSvar,
    validate_application,
)
from .errors import (
    FEIL_HTTP_STATUS,
    FEIL_MESSAGES,
    ApplicationInvalid,
    BestilleTilSegSelv,
    BrukerIkkeFunnet,
    ForMangeBestillingerSiste24Timer,
    IngetUtlan,
    KanIkkeBestille,
    LagerenhetIkkeFunnet,
    NavError,
    NavRefused,
    NavRequestError,
    NavUnavailable,
    PartOrderInvalid,
    RecordInvalid,
    UlikAdressePdlOebs,
    UlikGeografiskTilknytning,
)
from .loans import NavLoan
from .order_lines import ORDER_LINE_WIRE_KEYS, USER_ITEM_TYPES, OrderLine, OrderLinePage
from .part_orders import (
    LEVERING,
    MAX_PART_ORDERS_PER_24H,
    PART_ORDER_RATE_WINDOW,
    SAK_STATUSES,
    Del,
    Delbestilling,
    DelbestillingSak,
    DelbestillingSvar,
    DelLinje,
    check_order_rate,
    validate_part_order,
)
from .protocol import NavPort
from .returns import return_to_wire, validate_return
from .values import FOUR_DIGITS, ISO_CATEGORY, SIX_DIGITS, valid_fnr

__all__ = [
    # errors and feil codes
    "NavError", "NavUnavailable", "NavRequestError", "FEIL_MESSAGES", "FEIL_HTTP_STATUS", "NavRefused",
    "IngetUtlan", "KanIkkeBestille", "BrukerIkkeFunnet", "LagerenhetIkkeFunnet", "BestilleTilSegSelv",
    "UlikGeografiskTilknytning", "UlikAdressePdlOebs", "ForMangeBestillingerSiste24Timer",
    "RecordInvalid", "PartOrderInvalid", "ApplicationInvalid",
    # field values
    "SIX_DIGITS", "ISO_CATEGORY", "FOUR_DIGITS", "valid_fnr",
    # order lines
    "USER_ITEM_TYPES", "ORDER_LINE_WIRE_KEYS", "OrderLine", "OrderLinePage",
    # loans
    "NavLoan",
    # part orders (delbestilling) and their rules
    "LEVERING", "SAK_STATUSES", "Del", "DelLinje", "Delbestilling", "DelbestillingSak", "DelbestillingSvar",
    "validate_part_order", "MAX_PART_ORDERS_PER_24H", "PART_ORDER_RATE_WINDOW", "check_order_rate",
    # returns
    "return_to_wire", "validate_return",
    # applications (søknad)
    "SOKNAD_STATUSES", "SOKNAD_GRANTED", "SoknadHjelpemiddel", "Soknad", "SoknadSvar", "SoknadSak",
    "validate_application",
    # the port
    "NavPort",
]
