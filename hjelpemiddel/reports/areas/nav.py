"""Søknader og NAV: the municipality's decisions per week and how long they take, and for long-term
loans the time from the application sent to NAV to the unit delivered, and where the period's
applications stand at NAV. Pure figures over counted buckets (gathered in ``waiting_rows.py``)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.errors import NotFound
from ...lending.models import Need
from ...lending.services import NAV_STATUS_LABELS
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, share, weighted_percentile
from ..models import NeedWait
from . import waiting_rows as gather
from ._calendar import chart_months, month_label, rows_page, utc_start
from .waiting import HOW_FILTER
from .waiting_rows import DayCount, DecisionBucket

KEY = "nav"
TITLE = "Søknader og NAV"
HOW_DECISION = "Kommunens egne vedtak om korttidslån (innvilget eller avslått) med vedtaksdato i perioden. "
HOW_NAV = ("Langtidslån søkt hos NAV: tid fra terapeuten sendte søknaden til NAV til siste enhet var levert hos "
           "bruker, i døgn (til nærmeste tidel), for behov levert i perioden. ")
AT_NAV = ("sent", "approved", "delivery_expected")
DECISION_FIGURES = ("decisions_per_week", "approved_share", "decision_median", "decision_p90")


def figures(scope: Scope, decisions: list[DecisionBucket], via_nav: list[DayCount],
            at_nav: dict[str, int]) -> tuple[Figure, ...]:
    decided = sum(d.scoped for d in decisions)
    days = [(d.days, d.scoped) for d in decisions]
    nav_days = [(c.days, c.count) for c in via_nav]
    nav_count = sum(c.count for c in via_nav)
    sent = sum(at_nav.values())
    return (
        Figure("decisions_per_week", "Vedtak per uke", decided / (scope.days / 7) if decided else None, "stk",
               HOW_DECISION + "Antall vedtak delt på antall uker i perioden. " + HOW_FILTER, decided),
        Figure("approved_share", "Andel innvilget", share(sum(d.scoped for d in decisions if d.approved), decided), "%",
               HOW_DECISION + "Innvilgede delt på alle vedtak. " + HOW_FILTER, decided),
        Figure("decision_median", "Tid til vedtak, median", weighted_percentile(days, 0.5), "dager",
               HOW_DECISION + "Tid fra behovet ble registrert til vedtaket, i døgn; halvparten gikk raskere. "
               + HOW_FILTER, decided),
        Figure("decision_p90", "Tid til vedtak, 90. persentil", weighted_percentile(days, 0.9), "dager",
               HOW_DECISION + "9 av 10 vedtak kom raskere enn dette. " + HOW_FILTER, decided),
        Figure("nav_sent", "Søknader sendt til NAV", float(sent) if sent else None, "stk",
               "Langtidslån der søknaden ble sendt til NAV i perioden. " + HOW_FILTER, sent),
        Figure("nav_waiting", "Av disse fortsatt hos NAV", float(sum(at_nav.get(s, 0) for s in AT_NAV)) if sent
               else None, "stk", "Søknadene sendt i perioden som NAV ennå ikke har levert eller avslått (sendt, "
               "innvilget eller levering ventet). " + HOW_FILTER, sent),
        Figure("nav_median", "NAV: fra søknad til levert, median", weighted_percentile(nav_days, 0.5), "dager",
               HOW_NAV + "Halvparten fikk hjelpemiddelet raskere. " + HOW_FILTER, nav_count),
        Figure("nav_p90", "NAV: fra søknad til levert, 90. persentil", weighted_percentile(nav_days, 0.9), "dager",
               HOW_NAV + "9 av 10 fikk det raskere. " + HOW_FILTER, nav_count),
    )


def charts(scope: Scope, decisions: list[DecisionBucket], nav_months: list[DayCount],
           at_nav: dict[str, int]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    labels = tuple(month_label(m) for m in months)
    counted = any(d.month >= 0 for d in decisions)

    def per_month(approved: bool) -> tuple[float | None, ...]:
        return tuple(float(sum(d.count for d in decisions if d.month == i and d.approved == approved))
                     if counted else None for i in range(len(months)))

    decided = Chart("decisions_by_month", "Vedtak per måned", "bars", labels,
                    (Series("Innvilget", per_month(True)), Series("Avslått", per_month(False))), "vedtak")
    nav_trend = Chart("nav_by_month", "NAV: fra søknad til levert per måned (median)", "line", labels, (Series(
        "Median", tuple(weighted_percentile([(c.days, c.count) for c in nav_months if c.key == i], 0.5)
                        for i in range(len(months)))),), "dager")
    statuses = [status for status in NAV_STATUS_LABELS if status in at_nav]
    standing = Chart("nav_status", "Søknadene fra perioden hos NAV nå", "bars",
                     tuple(NAV_STATUS_LABELS[s] for s in statuses),
                     (Series("Søknader", tuple(float(at_nav[s]) for s in statuses)),), "søknader")
    return decided, nav_trend, standing


def build(session: Session, scope: Scope) -> Section:
    decisions = gather.decision_buckets(session, scope)
    at_nav = gather.nav_applications(session, scope)
    return Section(KEY, TITLE, figures(scope, decisions, gather.nav_buckets(session, scope), at_nav),
                   charts(scope, decisions, gather.month_buckets(session, scope, nav=True), at_nav))


def _days(start, end) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds() / 86400, 1)


def rows(session: Session, scope: Scope, figure_key: str, page: int) -> RowsPage:
    first, end = utc_start(scope.start), utc_start(scope.end)
    if figure_key in DECISION_FIGURES:
        query = gather.filtered(select(Need.id, Need.registered_at, Need.decided_at, Need.status), scope).where(
            Need.decided_at >= first, Need.decided_at < end, Need.application_type == "short_term")
        query = query.order_by((Need.decided_at - Need.registered_at).desc(), Need.id)
        return rows_page(session, "Vedtak i perioden, lengst tid først",
                         ("Behov nr.", "Registrert", "Vedtak", "Utfall", "Dager til vedtak"), query, page,
                         lambda r: (r.id, r.registered_at, r.decided_at, "Avslått" if r.status == "rejected"
                                    else "Innvilget", _days(r.registered_at, r.decided_at)))
    columns = ("Behov nr.", "Sendt til NAV", "Levert", "Dager fra søknad til levert", "Hos NAV nå")
    if figure_key in ("nav_sent", "nav_waiting"):
        query = gather.filtered(select(Need.id, Need.decided_at, Need.nav_status, NeedWait.nav_minutes), scope)
        query = query.outerjoin(NeedWait, NeedWait.need_id == Need.id).where(
            Need.application_type == "long_term", Need.nav_status.is_not(None), Need.decided_at >= first,
            Need.decided_at < end)
        if figure_key == "nav_waiting":
            query = query.where(Need.nav_status.in_(AT_NAV))
        query = query.order_by(Need.decided_at, Need.id)
    elif figure_key in ("nav_median", "nav_p90"):
        query = gather.waits(scope, None, Need.id, Need.decided_at, Need.nav_status, NeedWait.nav_minutes).join(
            Need, Need.id == NeedWait.need_id).where(NeedWait.nav_minutes.is_not(None)).order_by(
            NeedWait.nav_minutes.desc(), Need.id)
    else:
        raise NotFound(f"Søknader og NAV har ikke tallet «{figure_key}».", {"figure": figure_key})
    return rows_page(session, "Søknader til NAV", columns, query, page, lambda r: (
        r.id, r.decided_at, "Ja" if r.nav_minutes is not None else "Nei",
        None if r.nav_minutes is None else round(r.nav_minutes / 1440, 1), NAV_STATUS_LABELS.get(r.nav_status, "–")))
