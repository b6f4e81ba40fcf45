"""Gjenbruk: the share of deliveries served by a unit that had been lent before, by count and by
replacement value; units scrapped and why; turnaround from return to available (median per product
group); utilisation (days on loan against days in stock) and idle units, candidates to pass on or
scrap. Pure figures over counted rows; the gathering is ``reuse_rows.py``."""
from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...catalog.iso import ISO_GROUP_TITLES
from ...catalog.models import Product
from ...core.errors import NotFound
from ...lending.models import Loan
from ...stock.models import Device, DeviceEvent
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, share, weighted_percentile
from . import reuse_rows as gather
from ._calendar import chart_months, month_label, rows_page, utc_start
from .reuse_rows import DeliveryCount, GroupDays, GroupUse

KEY = "gjenbruk"
TITLE = "Gjenbruk og utnyttelse"
HOW_DELIVERY = ("Leveranser er utlån som startet i perioden (kommunale og NAVs enheter). En leveranse er gjenbruk "
                "når samme enhet har vært lånt ut før. ")
NO_POSTCODE = " Postnummerområde gjelder ikke her (enheten står på lageret)."


def group_label(group: str) -> str:
    return ISO_GROUP_TITLES.get(group, " ".join(group[i:i + 2] for i in range(0, len(group), 2)))


def figures(scope: Scope, deliveries: list[DeliveryCount], scrapped: dict[str, int], trips: list[GroupDays],
            use: list[GroupUse], idle: int) -> tuple[Figure, ...]:
    scoped = [d for d in deliveries if d.scoped]
    count, reused = sum(d.deliveries for d in scoped), sum(d.reused for d in scoped)
    valued, value = sum(d.valued for d in scoped), sum(d.value for d in scoped)
    loan_days, unit_days = sum(u.loan_days for u in use), sum(u.unit_days for u in use)
    postcode = NO_POSTCODE if scope.postcode_area else ""
    return (
        Figure("deliveries", "Leveranser", float(count) if count else None, "stk",
               HOW_DELIVERY + "Postnummerområde etter brukerens adresse, produktgruppe etter enhetens produkt.", count),
        Figure("reuse_share", "Gjenbruk (antall)", share(reused, count), "%",
               HOW_DELIVERY + "Andelen av leveransene som var gjenbruk.", count),
        Figure("reuse_value_share", "Gjenbruk (verdi)", share(sum(d.reused_value for d in scoped), value) if value
               else None, "%", HOW_DELIVERY + "Gjenanskaffelsesverdien av gjenbrukte enheter delt på verdien av alle "
               "leveranser; bare produkter med verdi i katalogen telles.", valued),
        Figure("scrapped", "Kassert", float(sum(scrapped.values())) if scrapped else None, "stk",
               "Enheter kassert i perioden; årsaken er den som ble skrevet ved kassering." + postcode,
               sum(scrapped.values())),
        Figure("turnaround", "Fra retur til klar, median", weighted_percentile([(t.days, t.count) for t in trips], 0.5),
               "dager", "Hele dager fra enheten ble mottatt på lageret (til vask) til den var kontrollert og klar "
               "igjen, for enheter klare i perioden; samme regel som prognosen bruker." + postcode,
               sum(t.count for t in trips)),
        Figure("utilisation", "Utnyttelse", share(loan_days, unit_days) if unit_days else None, "%",
               "Dager på utlån i perioden delt på dager enhetene var i kommunens eie i perioden (fra registrering; "
               "kassert eller levert tilbake til NAV til siste endring)." + postcode, len(use)),
        Figure("idle", "Ubrukte enheter", float(idle), "stk",
               f"Ledige enheter på lageret som ikke har vært utlånt det siste året før {scope.last_day:%d.%m.%Y}: "
               "kandidater til å gis videre eller kasseres." + postcode, idle),
    )


def charts(scope: Scope, deliveries: list[DeliveryCount], scrapped: dict[str, int], trips: list[GroupDays],
           use: list[GroupUse]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    per_month = [[d for d in deliveries if d.month == i] for i in range(len(months))]
    trend = Chart("reuse_by_month", "Gjenbruk per måned", "line", tuple(month_label(m) for m in months), (
        Series("Gjenbruk (antall)", tuple(share(sum(d.reused for d in ds), sum(d.deliveries for d in ds))
                                          for ds in per_month)),), "%")
    reasons = sorted(scrapped, key=lambda r: -scrapped[r])[:10]
    scrapping = Chart("scrapped_by_reason", "Kassert etter årsak", "bars", tuple(r[:24] for r in reasons),
                      (Series("Enheter", tuple(float(scrapped[r]) for r in reasons)),), "enheter")
    groups: dict[str, list[tuple[float, int]]] = {}
    for trip in trips:
        groups.setdefault(trip.group, []).append((trip.days, trip.count))
    busiest = sorted(groups, key=lambda g: -sum(n for _d, n in groups[g]))[:10]
    turnaround = Chart("turnaround_by_group", "Fra retur til klar per produktgruppe (median)", "bars",
                       tuple(group_label(g) for g in busiest),
                       (Series("Median", tuple(weighted_percentile(groups[g], 0.5) for g in busiest)),), "dager")
    used = sorted(use, key=lambda u: -u.unit_days)[:10]
    utilisation = Chart("utilisation_by_group", "Utnyttelse per produktgruppe", "bars",
                        tuple(group_label(u.group) for u in used),
                        (Series("Utnyttelse", tuple(share(u.loan_days, u.unit_days) for u in used)),), "%")
    return trend, scrapping, turnaround, utilisation


def build(session: Session, scope: Scope) -> Section:
    deliveries = gather.delivery_counts(session, scope)
    stock_scope = replace(scope, postcode_area=None)  # units in stock have no address
    scrapped = gather.scrapped_by_reason(session, stock_scope)
    trips = gather.turnarounds(session, stock_scope)
    use = gather.utilisation(session, stock_scope)
    return Section(KEY, TITLE, figures(scope, deliveries, scrapped, trips, use, gather.idle_units(session, stock_scope)),
                   charts(scope, deliveries, scrapped, trips, use))


def rows(session: Session, scope: Scope, figure_key: str, page: int) -> RowsPage:
    start, end = utc_start(scope.start), utc_start(scope.end)
    if figure_key in ("deliveries", "reuse_share", "reuse_value_share"):
        query = gather.deliveries(scope, Loan.id, Device.barcode, Product.name, Product.replacement_value,
                                   Loan.started_at, gather.earlier_loan().label("reused")).where(
            Loan.started_at >= start, Loan.started_at < end).order_by(Loan.started_at, Loan.id)
        return rows_page(session, "Leveranser i perioden", ("Utlån nr.", "Strekkode", "Produkt", "Verdi (kr)",
                                                             "Startet", "Gjenbruk"), query, page,
                         lambda r: (r.id, r.barcode, r.name, r.replacement_value, r.started_at,
                                    "Ja" if r.reused else "Nei"))
    stock_scope = replace(scope, postcode_area=None)
    if figure_key == "scrapped":
        query = (select(Device.barcode, Product.name, DeviceEvent.occurred_at, DeviceEvent.note)
                 .join(Device, Device.id == DeviceEvent.device_id).join(Product, Product.id == Device.product_id)
                 .where(DeviceEvent.to_state == "scrapped", DeviceEvent.occurred_at >= start, DeviceEvent.occurred_at < end,
                        gather.group_filter(stock_scope)).order_by(DeviceEvent.occurred_at, DeviceEvent.id))
        return rows_page(session, "Kasserte enheter", ("Strekkode", "Produkt", "Kassert", "Årsak"), query, page,
                         lambda r: (r.barcode, r.name, r.occurred_at, r.note or "Ikke oppgitt"))
    if figure_key in ("idle", "utilisation", "turnaround"):
        if figure_key == "idle":
            last = select(func.max(Loan.ended_at)).where(Loan.device_id == Device.id).scalar_subquery()
            query = (select(Device.barcode, Product.name, Device.registered_at, last.label("last"))
                     .join(Product, Product.id == Device.product_id)
                     .where(gather.idle_clause(stock_scope), gather.group_filter(stock_scope))
                     .order_by(Device.registered_at, Device.id))
            return rows_page(session, "Ubrukte enheter, eldst først", ("Strekkode", "Produkt", "Registrert",
                                                                        "Sist utlånt til"), query, page,
                             lambda r: (r.barcode, r.name, r.registered_at, r.last))
        use = gather.utilisation(session, stock_scope) if figure_key == "utilisation" else []
        trips = gather.turnarounds(session, stock_scope) if figure_key == "turnaround" else []
        return _group_rows(figure_key, use, trips, page)
    raise NotFound(f"Gjenbruk har ikke tallet «{figure_key}».", {"figure": figure_key})


def _group_rows(figure_key: str, use: list[GroupUse], trips: list[GroupDays], page: int) -> RowsPage:
    """Per product group: the rows a figure over many units is summed from."""
    if figure_key == "utilisation":
        rows = [(u.group, group_label(u.group), round(u.loan_days), round(u.unit_days), share(u.loan_days, u.unit_days))
                for u in sorted(use, key=lambda u: u.group)]
        columns = ("ISO-gruppe", "Produktgruppe", "Dager utlånt", "Dager i eie", "Utnyttelse (%)")
    else:
        groups: dict[str, list[tuple[float, int]]] = {}
        for trip in trips:
            groups.setdefault(trip.group, []).append((trip.days, trip.count))
        rows = [(g, group_label(g), sum(n for _d, n in days), weighted_percentile(days, 0.5))
                for g, days in sorted(groups.items())]
        columns = ("ISO-gruppe", "Produktgruppe", "Enheter klare", "Median (dager)")
    per_page = 50
    page = min(max(1, page), max(1, -(-len(rows) // per_page)))
    return RowsPage("Per produktgruppe", columns, rows[(page - 1) * per_page:page * per_page], len(rows), page, per_page)
