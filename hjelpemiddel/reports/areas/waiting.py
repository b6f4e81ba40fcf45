"""Ventetid: how long citizens wait from a need registered to it delivered in full, median and 90th
percentile, by urgency (hospital discharges on their own); the share delivered by the needed-by date
and within the municipality's own targets. Pure figures over counted buckets (``WaitBucket``,
``DayCount``); what a wait is (delivered in full, on time, working days) is ``reports.waits``; the
gathering is ``waiting_rows.py``, the targets ``reports/targets.py``."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ...catalog.models import Product
from ...core.errors import NotFound
from ...lending.models import Need
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, share, weighted_percentile
from ..models import NeedWait
from ..targets import Target, load_targets
from . import waiting_rows as gather
from ._calendar import chart_months, month_label, rows_page
from .waiting_rows import DayCount, WaitBucket

KEY = "ventetid"
TITLE = "Ventetid"
URGENCIES = {"normal": "Vanlig", "urgent": "Haster", "discharge": "Utskrivning fra sykehus"}
BUCKETS = ((1, "0–1 d"), (3, "1–3 d"), (7, "3–7 d"), (14, "1–2 uker"), (30, "2–4 uker"), (60, "1–2 mnd"),
           (None, "over 2 mnd"))
HOW_WAIT = ("Tid fra behovet ble registrert til siste enhet var levert hos bruker, i døgn (til nærmeste tidel), "
            "for behov levert i sin helhet i perioden. Et behov for flere enheter levert i flere turer er levert "
            "når den siste kom. ")
HOW_FILTER = "Postnummerområde etter brukerens postnummer, produktgruppe etter behovets produkt eller ISO-klasse."


def _days(buckets) -> list[tuple[float, int]]:
    return [(bucket.days, bucket.count) for bucket in buckets]


def figures(buckets: list[WaitBucket], targets: dict[str, Target]) -> tuple[Figure, ...]:
    result = []
    for key, label, group in [("all", "alle", buckets)] + [
            (urgency, name.lower(), [b for b in buckets if b.urgency == urgency]) for urgency, name in URGENCIES.items()]:
        days, count = _days(group), sum(b.count for b in group)
        suffix = "" if key == "all" else f" ({label})"
        which = "" if key == "all" else f"Bare behov med hastegrad «{label}». "
        result.append(Figure(f"median_{key}", f"Ventetid, median{suffix}", weighted_percentile(days, 0.5), "dager",
                             HOW_WAIT + "Medianen: halvparten ventet kortere. " + which + HOW_FILTER, count))
        result.append(Figure(f"p90_{key}", f"Ventetid, 90. persentil{suffix}", weighted_percentile(days, 0.9), "dager",
                             HOW_WAIT + "9 av 10 ventet kortere enn dette. " + which + HOW_FILTER, count))
    total = sum(b.count for b in buckets)
    result.append(Figure("on_time", "Levert innen ønsket dato", share(sum(b.on_time for b in buckets), total), "%",
                         "Andel av behovene levert i sin helhet i perioden der siste enhet kom innen dagen behovet "
                         "gjaldt fra (utskrivning: innen utskrivningstidspunktet, eller dagens slutt). " + HOW_FILTER,
                         total))
    judged = sum(b.count for b in buckets if b.urgency in targets)
    wording = "; ".join(f"{URGENCIES[u].lower()} innen {t.text}" for u, t in targets.items())
    result.append(Figure("target", "Levert innen kommunens mål", share(sum(b.within_target for b in buckets), judged),
                         "%", f"Andel levert innen målet kommunen har satt for hastegraden ({wording}). Virkedager "
                         "teller ikke helger og helligdager; levert senest så mange virkedager etter "
                         "registreringsdagen. " + HOW_FILTER, judged))
    return tuple(result)


def spread(buckets: list[WaitBucket]) -> tuple[float, ...] | None:
    """Needs per waiting bucket of ``BUCKETS`` (a need of exactly 1 day goes in «1–3 d»)."""
    if not buckets:
        return None
    counts = [0.0] * len(BUCKETS)
    for bucket in buckets:
        index = next(i for i, (upper, _label) in enumerate(BUCKETS) if upper is None or bucket.days < upper)
        counts[index] += bucket.count
    return tuple(counts)


def charts(scope: Scope, buckets: list[WaitBucket], by_month: list[DayCount], by_area: list[DayCount]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    per_month = [[(c.days, c.count) for c in by_month if c.key == index] for index in range(len(months))]
    trend = Chart("waiting_by_month", "Ventetid per måned", "line", tuple(month_label(m) for m in months), (
        Series("Median", tuple(weighted_percentile(days, 0.5) for days in per_month)),
        Series("90. persentil", tuple(weighted_percentile(days, 0.9) for days in per_month))), "dager")
    stats = (("Median", 0.5), ("90. persentil", 0.9))
    by_urgency = Chart("waiting_by_urgency", "Ventetid per hastegrad", "bars", tuple(URGENCIES.values()), tuple(
        Series(name, tuple(weighted_percentile(_days([b for b in buckets if b.urgency == u]), at) for u in URGENCIES))
        for name, at in stats), "dager")
    counts = spread(buckets)
    histogram = Chart("waiting_spread", "Fordeling av ventetid", "histogram", tuple(label for _u, label in BUCKETS),
                      (Series("Behov", counts or (None,) * len(BUCKETS)),), "behov")
    areas: dict[str, list[tuple[float, int]]] = {}
    for count in by_area:
        areas.setdefault(count.key, []).append((count.days, count.count))
    busiest = sorted(sorted(areas, key=lambda a: -sum(n for _d, n in areas[a]))[:12])
    per_area = Chart("waiting_by_area", "Ventetid per postnummerområde (median)", "bars",
                     tuple(f"{area}…" if len(area) < 4 else area for area in busiest),
                     (Series("Median", tuple(weighted_percentile(areas[a], 0.5) for a in busiest)),), "dager")
    return trend, by_urgency, histogram, per_area


def build(session: Session, scope: Scope) -> Section:
    targets = load_targets(session)
    buckets = gather.wait_buckets(session, scope, targets)
    digits = min(4, len(scope.postcode_area or "") + 2)
    return Section(KEY, TITLE, figures(buckets, targets), charts(
        scope, buckets, gather.month_buckets(session, scope), gather.area_buckets(session, scope, digits)))


def rows(session: Session, scope: Scope, figure_key: str, page: int) -> RowsPage:
    urgency = figure_key.split("_", 1)[1] if figure_key.startswith(("median_", "p90_")) else None
    if figure_key not in ("on_time", "target") and urgency not in ("all", *URGENCIES):
        raise NotFound(f"Ventetid har ikke tallet «{figure_key}».", {"figure": figure_key})
    targets = load_targets(session)
    query = gather.waits(scope, None, NeedWait.need_id, NeedWait.urgency, Product.name, Need.iso_class,
                          NeedWait.postcode, Need.registered_at, NeedWait.delivered_on, NeedWait.waiting_minutes,
                          NeedWait.on_time, gather.target_met(targets).label("met"))
    query = query.join(Need, Need.id == NeedWait.need_id).outerjoin(Product, Product.id == Need.product_id)
    if urgency not in (None, "all"):
        query = query.where(NeedWait.urgency == urgency)
    query = query.order_by(NeedWait.waiting_minutes.desc(), NeedWait.need_id)

    def shape(row) -> tuple:
        return (row.need_id, URGENCIES.get(row.urgency, row.urgency), row.name or row.iso_class or "", row.postcode,
                row.registered_at, row.delivered_on, round(row.waiting_minutes / 1440, 1),
                "Ja" if row.on_time else "Nei", "Ja" if row.met else "Nei")

    return rows_page(session, "Behov levert i perioden, lengst ventetid først",
                     ("Behov nr.", "Hastegrad", "Produkt eller klasse", "Postnummer", "Registrert", "Levert",
                      "Ventetid (døgn)", "Innen ønsket dato", "Innen målet"), query, page, shape)

