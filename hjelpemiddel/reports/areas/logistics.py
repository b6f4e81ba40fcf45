"""Logistikk: stops per run, failed visits and why, km per stop from the delivery log's odometers, and
hospital discharges delivered in time. Pure figures over plain rows (one per finished run with its
visits counted in SQL; one per discharge need); the gathering and the rows behind a figure are in
``logistics_rows.py``."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from ...core.db import utcnow
from ...core.errors import NotFound
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, median, share
from . import logistics_rows as gather
from ._calendar import chart_months, in_scope, month_label
from .logistics_rows import REASONS, DischargeRow, RunRow, discharge_in_time

__all__ = ["KEY", "TITLE", "DischargeRow", "RunRow", "build", "charts", "discharge_in_time", "figures", "rows"]

KEY = "logistikk"
TITLE = "Logistikk"
FILTERED = "Med postnummerområde eller produktgruppe telles bare besøk med adresse i området eller med en enhet i gruppen."


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def km_per_stop(runs: list[RunRow]) -> tuple[float | None, int]:
    """Kilometres over visits made, on the runs with both readings and at least one visit made."""
    counted = [run for run in runs if run.km is not None and run.made > 0]
    stops = sum(run.made for run in counted)
    return (None if not stops else sum(run.km for run in counted) / stops), len(counted)


def figures(scope: Scope, runs: list[RunRow], all_runs: list[RunRow], discharges: list[DischargeRow],
            now: datetime) -> tuple[Figure, ...]:
    """The area's figures: ``runs`` are the finished runs (the filters applied, runs without a
    matching visit left out), ``all_runs`` the same unfiltered (kilometres cannot be split by visit)."""
    runs = [run for run in runs if in_scope(run.run_date, scope)]
    stops = [run.made for run in runs]
    made, failed = sum(stops), sum(run.failed for run in runs)
    km, km_runs = km_per_stop([run for run in all_runs if in_scope(run.run_date, scope)])
    judged = [verdict for verdict in (discharge_in_time(row, now) for row in discharges
                                      if in_scope(row.discharge_date, scope)) if verdict is not None]
    filtered = f" {FILTERED}" if scope.postcode_area or scope.product_group else ""
    return (
        Figure("stops_per_run", "Stopp per runde (snitt)", _mean(stops), "stk",
               "Besøk der sjåføren var på døren (utført, ikke hjemme, avvist) per ferdig kjørerunde med dato i "
               "perioden. Besøk som ikke ble rukket og runder som ikke er avsluttet, telles ikke." + filtered,
               len(runs)),
        Figure("stops_per_run_median", "Stopp per runde (median)", median(stops), "stk",
               "Medianen av besøk per ferdig kjørerunde i perioden, talt som for snittet." + filtered, len(runs)),
        Figure("failed_visits", "Mislykkede besøk", float(failed) if runs else None, "stk",
               "Besøk på ferdige runder i perioden der ingenting ble utført fordi bruker ikke var hjemme eller "
               "avviste hjelpemiddelet." + filtered, made),
        Figure("failed_share", "Andel mislykkede besøk", share(failed, made), "%",
               "Mislykkede besøk (ikke hjemme, avvist) delt på alle besøk der sjåføren var på døren, på ferdige "
               "runder i perioden." + filtered, made),
        Figure("not_visited", "Besøk som ikke ble rukket", float(sum(run.not_visited for run in runs))
               if runs else None, "stk",
               "Besøk som sto igjen da runden ble avsluttet og gikk tilbake til planlegging. De er ikke med i "
               "stopp per runde." + filtered, len(runs)),
        Figure("km_per_stop", "Km per stopp", km, "km",
               "Kjørte kilometer (kilometerstand ved retur minus ved start) delt på besøk der sjåføren var på "
               "døren, over ferdige runder i perioden med begge avlesninger. Postnummerområde og produktgruppe "
               "gjelder ikke her: kilometerne kan ikke deles på besøk.", km_runs),
        Figure("discharge_on_time", "Utskrivninger levert i tide", share(sum(judged), len(judged)), "%",
               "Behov ved utskrivning fra sykehus med utskrivningsdato i perioden som fikk første enhet levert "
               "innen utskrivningstidspunktet (eller innen utskrivningsdagens slutt når tidspunkt mangler). "
               "Ikke levert når fristen er passert teller som for sent; avviste og avbrutte behov telles ikke; "
               "område og produktgruppe etter brukerens postnummer og behovets produkt.", len(judged)),
    )


def charts(scope: Scope, runs: list[RunRow], all_runs: list[RunRow]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    by_month: dict[date, list[RunRow]] = {month: [] for month in months}
    all_by_month: dict[date, list[RunRow]] = {month: [] for month in months}
    for source, target in ((runs, by_month), (all_runs, all_by_month)):
        for run in source:
            bucket = target.get(run.run_date.replace(day=1))
            if bucket is not None:
                bucket.append(run)
    labels = tuple(month_label(month) for month in months)
    scoped = [run for run in runs if in_scope(run.run_date, scope)]
    made = sum(run.made for run in scoped)
    return (
        Chart("stops_per_run_monthly", "Stopp per runde per måned", "line", labels,
              (Series("Stopp per runde", tuple(_mean([run.made for run in by_month[month]]) for month in months)),),
              "stk"),
        Chart("failed_by_reason", "Mislykkede besøk etter grunn", "bars", tuple(REASONS.values()),
              (Series("Andel av besøk", tuple(share(sum(getattr(run, reason) for run in scoped), made)
                                               for reason in REASONS)),), "%"),
        Chart("km_per_stop_monthly", "Km per stopp per måned", "line", labels,
              (Series("Km per stopp", tuple(km_per_stop(all_by_month[month])[0] for month in months)),), "km"),
    )


def build(session: Session, scope: Scope) -> Section:
    runs, all_runs = gather.run_rows(session, scope)
    discharges = gather.discharge_rows(session, scope)
    return Section(KEY, TITLE, figures(scope, runs, all_runs, discharges, utcnow()), charts(scope, runs, all_runs))


def rows(session: Session, scope: Scope, figure_key: str, page: int = 1) -> RowsPage:
    reader = gather.ROWS.get(figure_key)
    if reader is None:
        raise NotFound(f"Logistikk har ikke tallet «{figure_key}».", {"figure": figure_key})
    return reader(session, scope, page)
