"""Ventetid: how long citizens wait from a need registered to it delivered in full, median and 90th
percentile, by urgency (hospital discharges on their own); the share delivered by the needed-by date
and within the municipality's own targets. Pure figures over ``DeliveredNeed`` rows; the gathering is
in ``waiting_rows.py``, the targets in ``reports/targets.py``."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.db import LOCAL_ZONE
from ...core.errors import NotFound
from ...incidents.deadlines import is_working_day
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, median, percentile, share
from ..targets import Target, load_targets
from . import waiting_rows as gather
from ._calendar import chart_months, month_label, rows_page, utc_start
from .waiting_rows import DeliveredNeed

KEY = "ventetid"
TITLE = "Ventetid"
URGENCIES = {"normal": "Vanlig", "urgent": "Haster", "discharge": "Utskrivning fra sykehus"}
BUCKETS = ((0, 1, "0–1 d"), (1, 3, "1–3 d"), (3, 7, "3–7 d"), (7, 14, "1–2 uker"), (14, 30, "2–4 uker"),
           (30, 60, "1–2 mnd"), (60, None, "over 2 mnd"))
HOW_WAIT = ("Tid fra behovet ble registrert til siste enhet var levert hos bruker, i døgn, for behov levert i "
            "sin helhet i perioden. Et behov for flere enheter levert i flere turer er levert når den siste kom. ")
HOW_FILTER = "Postnummerområde etter brukerens postnummer, produktgruppe etter behovets produkt eller ISO-klasse."


def waiting_days(need: DeliveredNeed) -> float:
    return (need.delivered_at - need.registered_at).total_seconds() / 86400


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_ZONE).date()


def deadline_of(need: DeliveredNeed) -> datetime:
    """When the need was wanted: a discharge by its time (or the end of its day), others by the end of
    the needed-by day (Oslo)."""
    if need.urgency == "discharge" and need.discharge_date is not None:
        if need.discharge_time is not None:
            return datetime.combine(need.discharge_date, need.discharge_time, LOCAL_ZONE)
        return utc_start(need.discharge_date + timedelta(days=1))
    return utc_start(need.needed_by + timedelta(days=1))


def add_working_days(day: date, count: int) -> date:
    while count > 0:
        day += timedelta(days=1)
        count -= is_working_day(day)
    return day


def within_target(need: DeliveredNeed, target: Target) -> bool:
    """Hours: delivered within so many hours of registration. Working days: delivered (Oslo day) no
    later than that many working days after the day it was registered."""
    if target.unit == "hours":
        return need.delivered_at - need.registered_at <= timedelta(hours=target.amount)
    return local_day(need.delivered_at) <= add_working_days(local_day(need.registered_at), target.amount)


def _in(need: DeliveredNeed, scope: Scope) -> bool:
    return scope.start <= local_day(need.delivered_at) < scope.end


def figures(scope: Scope, needs: list[DeliveredNeed], targets: dict[str, Target]) -> tuple[Figure, ...]:
    scoped = [need for need in needs if _in(need, scope)]
    result = []
    for key, label, group in [("all", "alle", scoped)] + [
            (urgency, name.lower(), [n for n in scoped if n.urgency == urgency]) for urgency, name in URGENCIES.items()]:
        days = [waiting_days(need) for need in group]
        suffix = "" if key == "all" else f" ({label})"
        which = "" if key == "all" else f" Bare behov med hastegrad «{label}»."
        result.append(Figure(f"median_{key}", f"Ventetid, median{suffix}", median(days), "dager",
                             HOW_WAIT + "Medianen: halvparten ventet kortere." + which + " " + HOW_FILTER, len(days)))
        result.append(Figure(f"p90_{key}", f"Ventetid, 90. persentil{suffix}", percentile(days, 0.9), "dager",
                             HOW_WAIT + "9 av 10 ventet kortere enn dette." + which + " " + HOW_FILTER, len(days)))
    on_time = sum(need.delivered_at <= deadline_of(need) for need in scoped)
    result.append(Figure("on_time", "Levert innen ønsket dato", share(on_time, len(scoped)), "%",
                         "Andel av behovene levert i sin helhet i perioden der siste enhet kom innen dagen behovet "
                         "gjaldt fra (utskrivning: innen utskrivningstidspunktet, eller dagens slutt). " + HOW_FILTER,
                         len(scoped)))
    judged = [need for need in scoped if need.urgency in targets]
    met = sum(within_target(need, targets[need.urgency]) for need in judged)
    wording = "; ".join(f"{URGENCIES[u].lower()} innen {t.text}" for u, t in targets.items())
    result.append(Figure("target", "Levert innen kommunens mål", share(met, len(judged)), "%",
                         f"Andel levert innen målet kommunen har satt for hastegraden ({wording}). Virkedager "
                         "teller ikke helger og helligdager; levert senest så mange virkedager etter "
                         "registreringsdagen. " + HOW_FILTER, len(judged)))
    return tuple(result)


def _bucket(days: float) -> int:
    return next(index for index, (low, high, _label) in enumerate(BUCKETS) if high is None or days < high)


def charts(scope: Scope, needs: list[DeliveredNeed]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    by_month: dict[date, list[float]] = {month: [] for month in months}
    for need in needs:
        month = local_day(need.delivered_at).replace(day=1)
        if month in by_month:
            by_month[month].append(waiting_days(need))
    labels = tuple(month_label(month) for month in months)
    trend = Chart("waiting_by_month", "Ventetid per måned", "line", labels, (
        Series("Median", tuple(median(by_month[m]) for m in months)),
        Series("90. persentil", tuple(percentile(by_month[m], 0.9) for m in months))), "dager")
    scoped = [need for need in needs if _in(need, scope)]
    counts = [0] * len(BUCKETS)
    for need in scoped:
        counts[_bucket(waiting_days(need))] += 1
    spread = Chart("waiting_spread", "Fordeling av ventetid", "histogram", tuple(b[2] for b in BUCKETS),
                   (Series("Behov", tuple(float(c) for c in counts) if scoped else (None,) * len(BUCKETS)),), "behov")
    digits = min(4, len(scope.postcode_area or "") + 2)
    areas: dict[str, list[float]] = {}
    for need in scoped:
        areas.setdefault(need.postcode[:digits] or "?", []).append(waiting_days(need))
    busiest = sorted(sorted(areas, key=lambda a: -len(areas[a]))[:12])
    by_area = Chart("waiting_by_area", "Ventetid per postnummerområde (median)", "bars",
                    tuple(f"{area}…" if len(area) < 4 else area for area in busiest),
                    (Series("Median", tuple(median(areas[a]) for a in busiest)),), "dager")
    stats = (("Median", median), ("90. persentil", lambda values: percentile(values, 0.9)))
    by_urgency = Chart("waiting_by_urgency", "Ventetid per hastegrad", "bars", tuple(URGENCIES.values()), tuple(
        Series(name, tuple(stat([waiting_days(n) for n in scoped if n.urgency == u]) for u in URGENCIES))
        for name, stat in stats), "dager")
    return trend, by_urgency, spread, by_area


def build(session: Session, scope: Scope) -> Section:
    needs = gather.delivered_needs(session, scope)
    return Section(KEY, TITLE, figures(scope, needs, load_targets(session)), charts(scope, needs))


def rows(session: Session, scope: Scope, figure_key: str, page: int) -> RowsPage:
    urgency = figure_key.split("_", 1)[1] if figure_key.startswith(("median_", "p90_")) else None
    if figure_key not in ("on_time", "target") and urgency not in ("all", *URGENCIES):
        raise NotFound(f"Ventetid har ikke tallet «{figure_key}».", {"figure": figure_key})
    stmt, _first, _end = gather.delivered_statement(scope, scope.start)
    needs = stmt.subquery()
    query = select(needs).where(needs.c.done_at >= utc_start(scope.start), needs.c.done_at < utc_start(scope.end))
    if urgency not in (None, "all"):
        query = query.where(needs.c.urgency == urgency)
    query = query.order_by((needs.c.done_at - needs.c.registered_at).desc(), needs.c.id)
    targets = load_targets(session)

    def shape(row) -> tuple:
        need = DeliveredNeed(row.id, row.urgency, row.registered_at, row.done_at, row.needed_by, row.discharge_date,
                             row.discharge_time, row.postcode)
        target = targets.get(row.urgency)
        return (row.id, URGENCIES.get(row.urgency, row.urgency), row.what or "", row.postcode, row.registered_at,
                row.done_at, round(waiting_days(need), 1), "Ja" if row.done_at <= deadline_of(need) else "Nei",
                "–" if target is None else ("Ja" if within_target(need, target) else "Nei"))

    return rows_page(session, "Behov levert i perioden, lengst ventetid først",
                     ("Behov nr.", "Hastegrad", "Produkt eller klasse", "Postnummer", "Registrert", "Levert",
                      "Ventetid (døgn)", "Innen ønsket dato", "Innen målet"), query, page, shape)

