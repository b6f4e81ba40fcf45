"""Vedlikehold: periodic inspections on time or late, units overdue now and at the period's end,
repairs opened and completed and how long they took, incidents by injury. Pure figures over plain rows
(inspections counted per day in SQL; repairs counted per month, place and tenth of a day); the gathering and the rows behind a figure
are in ``upkeep_rows.py``.

On time: a periodic inspection done (its Oslo day) on or before the due date it answered — the unit's
due date when it was done, kept on the inspection (``Inspection.due_on``: the date the previous periodic
inspection set, or registration plus the plan's interval for the first). A re-inspection after a failed
one answers the same, older due date, so it is often late: the unit was past its date without a passed
inspection."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from ...core.errors import NotFound
from ...core.text import local_today
from ...incidents.models import FLAGGED_INJURIES
from ...incidents.services import INJURY_LABELS
from ..model import Chart, Figure, RowsPage, Scope, Section, Series, share
from . import upkeep_rows as gather
from ._calendar import chart_months, in_scope, month_label
from .upkeep_rows import InspectionCount, Overdue, RepairRow, RepairSummary, is_on_time, summarize_repairs

__all__ = ["KEY", "TITLE", "InspectionCount", "Overdue", "RepairRow", "RepairSummary", "build", "charts", "figures",
           "is_on_time", "rows", "summarize_repairs"]

KEY = "vedlikehold"
TITLE = "Vedlikehold"
NO_POSTCODE = " Postnummerområde gjelder ikke her (kontrollen og uhellet har ikke brukerens adresse)."


def _count(value: int, rows: int) -> float | None:
    return float(value) if rows else None


def _inspection_figures(scope: Scope, counts: list[InspectionCount], overdue: Overdue) -> list[Figure]:
    scoped = [row for row in counts if in_scope(row.done_on, scope)]
    total = sum(row.count for row in scoped)
    late = sum(row.count for row in scoped if not row.on_time)
    area = NO_POSTCODE if scope.postcode_area else ""
    return [
        Figure("inspections_on_time", "Periodiske kontroller i tide", share(total - late, total), "%",
               "Periodiske kontroller gjort i perioden der kontrolldagen var på eller før fristen enheten hadde da "
               "(satt av forrige periodiske kontroll, eller registrering pluss planens intervall). En ny kontroll "
               "etter en som ikke ble bestått, har den gamle fristen." + area, total),
        Figure("inspections_late", "Periodiske kontroller for sent", _count(late, total), "stk",
               "Periodiske kontroller gjort i perioden etter fristen enheten hadde da." + area, total),
        Figure("overdue_now", "Enheter på overtid nå", float(overdue.now), "stk",
               "Enheter i bruk med periodisk kontroll der fristen er passert i dag. Med postnummerområde: enheter "
               "utlånt til brukere i området.", overdue.now),
        Figure("overdue_at_end", "Enheter på overtid ved periodens slutt",
               None if overdue.at_end is None else float(overdue.at_end), "stk",
               "Enheter der fristen var passert dagen etter perioden: fristen de har nå, når siste bestått "
               "kontroll var før den dagen, og enheter kontrollert senere mot en frist før den. Vises ikke når "
               "perioden når fram til i dag, eller med postnummerområde; kasserte enheter telles ikke.",
               overdue.at_end),
    ]


def _repair_figures(scope: Scope, opened: int, repairs: RepairSummary) -> list[Figure]:
    total = repairs.total
    area = (" Med postnummerområde: bare reparasjoner hjemme hos bruker, etter besøkets postnummer."
            if scope.postcode_area else "")
    took = ("Fra reparasjonen ble opprettet til den ble ferdig, i dager (hver reparasjon til nærmeste tidels dag), "
            "for reparasjoner ferdige i perioden")
    depot, home = repairs.by_place["depot"], repairs.by_place["home"]
    return [
        Figure("repairs_opened", "Reparasjoner opprettet", _count(opened, opened), "stk",
               "Reparasjoner opprettet i perioden, hjemme og på lageret, også de som senere ble avbrutt." + area,
               opened),
        Figure("repairs_completed", "Reparasjoner ferdige", _count(total.completed, total.completed), "stk",
               "Reparasjoner fullført i perioden (avbrutte telles ikke)." + area, total.completed),
        Figure("repair_days_median", "Reparasjonstid (median)", total.median, "dager", took + "." + area,
               total.completed),
        Figure("repair_days_p90", "Reparasjonstid (90. persentil)", total.p90, "dager",
               took + "; 9 av 10 var ferdige innen dette." + area, total.completed),
        Figure("repair_days_depot", "Reparasjonstid på lageret (median)", depot.median, "dager",
               took + ", bare på lageret." + area, depot.completed),
        Figure("repair_days_home", "Reparasjonstid hjemme (median)", home.median, "dager",
               took + ", bare hjemme hos bruker." + area, home.completed),
        Figure("repair_hours", "Timer brukt på reparasjoner", total.minutes / 60 if total.with_minutes else None,
               "timer", "Summen av minuttene som er ført på reparasjoner fullført i perioden, i timer." + area,
               total.with_minutes),
    ]


def _incident_figures(scope: Scope, incidents: dict[str, int]) -> list[Figure]:
    total = sum(incidents.values())
    serious = sum(incidents.get(injury, 0) for injury in FLAGGED_INJURIES)
    area = NO_POSTCODE if scope.postcode_area else ""
    return [
        Figure("incidents", "Uhell", _count(total, total), "stk", "Uhell meldt i perioden, alle skadegrader." + area,
               total),
        Figure("serious_incidents", "Uhell med alvorlig skade eller dødsfall", _count(serious, total), "stk",
               "Uhell meldt i perioden med alvorlig personskade eller dødsfall (meldes til myndighetene)." + area,
               total),
    ]


def figures(scope: Scope, counts: list[InspectionCount], overdue: Overdue, opened: int, repairs: RepairSummary,
            incidents: dict[str, int]) -> tuple[Figure, ...]:
    """``opened``: repairs opened in the scope; ``repairs``: those completed (``summarize_repairs``)."""
    return (*_inspection_figures(scope, counts, overdue), *_repair_figures(scope, opened, repairs),
            *_incident_figures(scope, incidents))


def _month(day: date | None) -> date | None:
    return day.replace(day=1) if day else None


def charts(scope: Scope, counts: list[InspectionCount], repairs: RepairSummary,
           incidents: dict[str, int]) -> tuple[Chart, ...]:
    months = chart_months(scope)
    labels = tuple(month_label(month) for month in months)

    def inspected(month: date, on_time: bool) -> float | None:
        rows = [row for row in counts if _month(row.done_on) == month]
        return float(sum(row.count for row in rows if row.on_time == on_time)) if rows else None

    def repair_days(month: date, place: str) -> float | None:
        return repairs.monthly.get((month, place))
    return (
        Chart("inspections_monthly", "Periodiske kontroller per måned", "bars", labels,
              (Series("I tide", tuple(inspected(month, True) for month in months)),
               Series("For sent", tuple(inspected(month, False) for month in months))), "stk"),
        Chart("repair_days_monthly", "Reparasjonstid per måned (median)", "line", labels,
              (Series("På lageret", tuple(repair_days(month, "depot") for month in months)),
               Series("Hjemme", tuple(repair_days(month, "home") for month in months))), "dager"),
        Chart("incidents_by_injury", "Uhell etter skadegrad", "bars", tuple(INJURY_LABELS.values()),
              (Series("Uhell", tuple(float(incidents.get(injury, 0)) if incidents else None
                                     for injury in INJURY_LABELS)),), "stk"),
    )


def build(session: Session, scope: Scope) -> Section:
    counts = gather.inspection_counts(session, scope)
    repairs = gather.repair_summary(session, scope)
    incidents = gather.incident_counts(session, scope)
    overdue = gather.overdue(session, scope, local_today())
    opened = gather.repairs_opened(session, scope)
    return Section(KEY, TITLE, figures(scope, counts, overdue, opened, repairs, incidents),
                   charts(scope, counts, repairs, incidents))


def rows(session: Session, scope: Scope, figure_key: str, page: int = 1) -> RowsPage:
    reader = gather.ROWS.get(figure_key)
    if reader is None:
        raise NotFound(f"Vedlikehold har ikke tallet «{figure_key}».", {"figure": figure_key})
    return reader(session, scope, page)
