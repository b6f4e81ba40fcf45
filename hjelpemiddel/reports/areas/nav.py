"""Søknader og NAV: the municipality's decisions per week and how long they take, and for long-term
loans the time from the application sent to NAV to the unit delivered, and where the period's
applications stand at NAV. Pure figures over ``Decision`` and ``DeliveredNeed`` rows (gathered in
``waiting_rows.py``)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.errors import NotFound
from ...lending.models import Need
from ...lending.services import NAV_STATUS_LABELS
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, median, percentile, share
from . import waiting_rows as gather
from ._calendar import chart_months, month_label, rows_page, utc_start
from .waiting import HOW_FILTER, local_day
from .waiting_rows import Decision, DeliveredNeed

KEY = "nav"
TITLE = "Søknader og NAV"
HOW_DECISION = ("Kommunens egne vedtak om korttidslån (innvilget eller avslått) med vedtaksdato i perioden. ")
HOW_NAV = ("Langtidslån søkt hos NAV: tid fra terapeuten sendte søknaden til NAV til siste enhet var levert hos "
           "bruker, for behov levert i perioden. ")


def decision_days(decision: Decision) -> float:
    return (decision.decided_at - decision.registered_at).total_seconds() / 86400


def nav_days(need: DeliveredNeed) -> float:
    return (need.delivered_at - need.sent_at).total_seconds() / 86400


def _in(moment, scope: Scope) -> bool:
    return scope.start <= local_day(moment) < scope.end


def figures(scope: Scope, decisions: list[Decision], delivered: list[DeliveredNeed],
            at_nav: dict[str, int]) -> tuple[Figure, ...]:
    scoped = [d for d in decisions if _in(d.decided_at, scope)]
    days = [decision_days(d) for d in scoped]
    weeks = scope.days / 7
    via_nav = [nav_days(n) for n in delivered if n.sent_at is not None and _in(n.delivered_at, scope)]
    sent = sum(at_nav.values())
    waiting = sum(count for status, count in at_nav.items() if status in ("sent", "approved", "delivery_expected"))
    return (
        Figure("decisions_per_week", "Vedtak per uke", len(scoped) / weeks if scoped else None, "stk",
               HOW_DECISION + "Antall vedtak delt på antall uker i perioden. " + HOW_FILTER, len(scoped)),
        Figure("approved_share", "Andel innvilget", share(sum(d.approved for d in scoped), len(scoped)), "%",
               HOW_DECISION + "Innvilgede delt på alle vedtak. " + HOW_FILTER, len(scoped)),
        Figure("decision_median", "Tid til vedtak, median", median(days), "dager",
               HOW_DECISION + "Tid fra behovet ble registrert til vedtaket, i døgn; halvparten gikk raskere. "
               + HOW_FILTER, len(days)),
        Figure("decision_p90", "Tid til vedtak, 90. persentil", percentile(days, 0.9), "dager",
               HOW_DECISION + "9 av 10 vedtak kom raskere enn dette. " + HOW_FILTER, len(days)),
        Figure("nav_sent", "Søknader sendt til NAV", float(sent) if sent else None, "stk",
               "Langtidslån der søknaden ble sendt til NAV i perioden. " + HOW_FILTER, sent),
        Figure("nav_waiting", "Av disse fortsatt hos NAV", float(waiting) if sent else None, "stk",
               "Søknadene sendt i perioden som NAV ennå ikke har levert eller avslått (sendt, innvilget eller "
               "levering ventet). " + HOW_FILTER, sent),
        Figure("nav_median", "NAV: fra søknad til levert, median", median(via_nav), "dager",
               HOW_NAV + "Halvparten fikk hjelpemiddelet raskere. " + HOW_FILTER, len(via_nav)),
        Figure("nav_p90", "NAV: fra søknad til levert, 90. persentil", percentile(via_nav, 0.9), "dager",
               HOW_NAV + "9 av 10 fikk det raskere. " + HOW_FILTER, len(via_nav)),
    )


def charts(scope: Scope, decisions: list[Decision], delivered: list[DeliveredNeed],
           at_nav: dict[str, int]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    labels = tuple(month_label(m) for m in months)
    approved = {m: 0 for m in months}
    refused = {m: 0 for m in months}
    times: dict[date, list[float]] = {m: [] for m in months}
    for decision in decisions:
        month = local_day(decision.decided_at).replace(day=1)
        if month in approved:
            (approved if decision.approved else refused)[month] += 1
    for need in delivered:
        month = local_day(need.delivered_at).replace(day=1)
        if need.sent_at is not None and month in times:
            times[month].append(nav_days(need))
    any_decision = any(approved.values()) or any(refused.values())
    per_month = Chart("decisions_by_month", "Vedtak per måned", "bars", labels, (
        Series("Innvilget", tuple(float(approved[m]) if any_decision else None for m in months)),
        Series("Avslått", tuple(float(refused[m]) if any_decision else None for m in months))), "vedtak")
    nav_trend = Chart("nav_by_month", "NAV: fra søknad til levert per måned (median)", "line", labels,
                      (Series("Median", tuple(median(times[m]) for m in months)),), "dager")
    statuses = [status for status in NAV_STATUS_LABELS if status in at_nav]
    standing = Chart("nav_status", "Søknadene fra perioden hos NAV nå", "bars",
                     tuple(NAV_STATUS_LABELS[s] for s in statuses),
                     (Series("Søknader", tuple(float(at_nav[s]) for s in statuses)),), "søknader")
    return per_month, nav_trend, standing


def build(session: Session, scope: Scope) -> Section:
    decisions = gather.decisions(session, scope)
    delivered = [need for need in gather.delivered_needs(session, scope) if need.application_type == "long_term"]
    at_nav = gather.nav_applications(session, scope)
    return Section(KEY, TITLE, figures(scope, decisions, delivered, at_nav), charts(scope, decisions, delivered, at_nav))


def rows(session: Session, scope: Scope, figure_key: str, page: int) -> RowsPage:
    first, end = utc_start(scope.start), utc_start(scope.end)
    if figure_key in ("decisions_per_week", "approved_share", "decision_median", "decision_p90"):
        query = gather.filtered(select(Need.id, Need.registered_at, Need.decided_at, Need.status), scope).where(
            Need.decided_at >= first, Need.decided_at < end, Need.application_type == "short_term")
        query = query.order_by((Need.decided_at - Need.registered_at).desc(), Need.id)
        return rows_page(session, "Vedtak i perioden, lengst tid først",
                         ("Behov nr.", "Registrert", "Vedtak", "Utfall", "Dager til vedtak"), query, page,
                         lambda r: (r.id, r.registered_at, r.decided_at, "Avslått" if r.status == "rejected"
                                    else "Innvilget", round((r.decided_at - r.registered_at).total_seconds() / 86400, 1)))
    if figure_key in ("nav_sent", "nav_waiting", "nav_median", "nav_p90"):
        done = gather.completed_at().label("done_at")
        query = gather.filtered(select(Need.id, Need.decided_at, done, Need.nav_status), scope).where(
            Need.application_type == "long_term", Need.nav_status.is_not(None))
        if figure_key in ("nav_sent", "nav_waiting"):
            query = query.where(Need.decided_at >= first, Need.decided_at < end)
            if figure_key == "nav_waiting":
                query = query.where(Need.nav_status.in_(("sent", "approved", "delivery_expected")))
            query = query.order_by(Need.decided_at, Need.id)
        else:
            inner = query.where(Need.delivered_at < end).subquery()
            query = select(inner).where(inner.c.done_at >= first, inner.c.done_at < end).order_by(
                (inner.c.done_at - inner.c.decided_at).desc(), inner.c.id)
        return rows_page(session, "Søknader til NAV", ("Behov nr.", "Sendt til NAV", "Levert", "Dager", "Hos NAV nå"),
                         query, page, lambda r: (r.id, r.decided_at, r.done_at, None if r.done_at is None else round(
                             (r.done_at - r.decided_at).total_seconds() / 86400, 1),
                             NAV_STATUS_LABELS.get(r.nav_status, "–")))
    raise NotFound(f"Søknader og NAV har ikke tallet «{figure_key}».", {"figure": figure_key})
