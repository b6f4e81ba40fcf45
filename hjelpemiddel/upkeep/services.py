"""Periodic inspection across the depot: the due list by month and postcode area (overdue first, a
warning ``WARNING_DAYS`` ahead), inspection visits planned for units at citizens' homes, and a unit's
inspection report. Above logistics in the import order: it reads where each unit is and who holds it."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..citizens.services import masked_name
from ..core.auth import User
from ..core.errors import ValidationFailed
from ..core.ids import looks_like_code, normalize_scan
from ..core.paging import PAGE_SIZE, Page, offset_page, streamed
from ..core.text import local_time, local_today
from ..documents.inspection_report import CheckedPoint, InspectionEntry, InspectionReport
from ..lending.models import Loan
from ..logistics import services as logistics
from ..logistics.models import StopItem
from ..maintenance import services as maintenance
from ..maintenance.models import Inspection, InspectionDue, MaintenancePlan
from ..stock.lifecycle import STATE_LABELS, DeviceState
from ..stock.models import Device, DeviceEvent, Location
from ..stock.services import get_device

AREA_DEPOT = "lager"
MONTH_NAMES = ("", "januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
               "november", "desember")
STATUSES = ("all", "overdue", "month")
STATUS_LABELS = {"overdue": "Forfalt", "soon": "Forfaller innen 30 dager", "later": "Senere"}
_AT_HOME = (DeviceState.ON_LOAN.value, DeviceState.AWAITING_PICKUP.value)


@dataclass(frozen=True)
class DueUnit:
    barcode: str
    product: str
    iso_class: str
    due_on: date
    state: str
    place: str | None
    postcode: str | None
    holder: str | None
    plan: str | None
    visit_planned: bool
    today: date

    @property
    def status(self) -> str:
        if self.due_on < self.today:
            return "overdue"
        return "soon" if self.due_on <= self.today + timedelta(days=maintenance.WARNING_DAYS) else "later"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[DeviceState(self.state)]

    @property
    def area(self) -> str:
        return self.postcode if self.state in _AT_HOME and self.postcode else AREA_DEPOT

    @property
    def where(self) -> str:
        if self.state in _AT_HOME:
            return f"Hos {self.holder or 'bruker'}, {self.postcode or ''}".rstrip(", ")
        return self.place or self.state_label


@dataclass(frozen=True)
class DueSummary:
    month: date
    overdue: int
    in_month: int
    soon: int
    by_area: list[tuple[str, int]]      # (postcode or «lager», units due in the month or overdue)
    months: list[tuple[date, int]]      # the next twelve months and their counts


def month_bounds(month: str | None, today: date | None = None) -> tuple[date, date]:
    """«2027-06» (or nothing: this month) as its first and last day."""
    today = today or local_today()
    if not month:
        first = today.replace(day=1)
    else:
        try:
            year, number = (int(part) for part in month.split("-"))
            first = date(year, number, 1)
        except (TypeError, ValueError):
            raise ValidationFailed.for_field("month", "Skriv måneden som åååå-mm, for eksempel 2027-06.") from None
        if not 2000 <= year <= 2099:
            raise ValidationFailed.for_field("month", "Måneden må ligge mellom år 2000 og 2099.")
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _visit_planned():
    return exists().where(StopItem.device_id == Device.id, StopItem.active.is_(True), StopItem.action == "inspect")


def _search(stmt, q: str | None):
    """A search by a unit's barcode, or by its product: ISO class or HMS-nr (digits) or a piece of the
    name — read along ``inspection_due``'s product index, whatever the number of units."""
    if not q or not q.strip():
        return stmt
    key, text = normalize_scan(q), q.strip()
    if looks_like_code(key):
        return stmt.where(InspectionDue.device_id.in_(select(Device.id).where(Device.barcode == key)))
    products = select(Product.id).where(
        or_(Product.iso_class.startswith(text), Product.hms_nr == text) if text.isdigit()
        else func.lower(Product.name).contains(text.lower(), autoescape=True))
    return stmt.where(InspectionDue.product_id.in_(products))


def _base(today: date, first: date, last: date, status: str, area: str | None, q: str | None):
    stmt = (select(InspectionDue.due_on, Device.barcode, Device.state, Product.name, Product.iso_class, Location.code,
                   Citizen.postcode, Citizen.name, MaintenancePlan.name, _visit_planned())
            .join(Device, Device.id == InspectionDue.device_id)
            .join(Product, Product.id == Device.product_id)
            .outerjoin(Location, Location.id == Device.location_id)
            .outerjoin(Loan, and_(Loan.device_id == Device.id, Loan.status != "ended"))
            .outerjoin(Citizen, Citizen.id == Loan.citizen_id)
            .outerjoin(MaintenancePlan, MaintenancePlan.id == InspectionDue.plan_id))
    if status == "overdue":
        stmt = stmt.where(InspectionDue.due_on < today)
    elif status == "month":
        stmt = stmt.where(InspectionDue.due_on.between(first, last))
    else:
        # The month's units with every overdue one on top, whichever month is shown.
        stmt = stmt.where(or_(InspectionDue.due_on < today, InspectionDue.due_on.between(first, last)))
    if area == AREA_DEPOT:
        stmt = stmt.where(or_(Device.state.not_in(_AT_HOME), Citizen.id.is_(None)))
    elif area:
        stmt = stmt.where(Citizen.postcode == area, Device.state.in_(_AT_HOME))
    return _search(stmt, q)


def due_list(session: Session, month: str | None = None, area: str | None = None, q: str | None = None,
             status: str = "all", number: int = 1, size: int = PAGE_SIZE, today: date | None = None) -> Page:
    """Units due for their periodic inspection in a month (overdue ones first), by area and search;
    a page read along ``ix_inspection_due_due_on_device_id``."""
    today = today or local_today()
    first, last = month_bounds(month, today)
    stmt = _base(today, first, last, status, area, q).order_by(InspectionDue.due_on, InspectionDue.device_id)
    page = offset_page(session, stmt, number, size, scalars=False)
    page.items = [DueUnit(row[1], row[3], row[4], row[0], row[2], row[5], row[6],
                          masked_name(row[7]) if row[7] else None, row[8], bool(row[9]), today) for row in page.items]
    return page


DUE_HEADINGS = ("Frist", "Status", "Besøk planlagt", "Strekkode", "Produkt", "ISO-klasse", "Hvor", "Område", "Plan")


def due_export_rows(session: Session, month: str | None = None, area: str | None = None, q: str | None = None,
                    status: str = "all", today: date | None = None):
    """Every unit of the due list as rows for a download (``core.exports``), the holder masked as on the page."""
    today = today or local_today()
    first, last = month_bounds(month, today)
    stmt = _base(today, first, last, status, area, q).order_by(InspectionDue.due_on, InspectionDue.device_id)
    return _due_export(session, stmt, today)


def _due_export(session: Session, stmt, today: date):
    for row in streamed(session, stmt):
        unit = DueUnit(row[1], row[3], row[4], row[0], row[2], row[5], row[6],
                       masked_name(row[7]) if row[7] else None, row[8], bool(row[9]), today)
        yield (unit.due_on, unit.status_label, unit.visit_planned, unit.barcode, unit.product, unit.iso_class,
               unit.where, "På lageret" if unit.area == AREA_DEPOT else unit.area, unit.plan or "Produktets intervall")


MONTH_COUNT_CAP = 10_000


def _due_rows(q: str | None):
    """``inspection_due`` alone (a retired unit has no row): a search reads its products' dates only."""
    return _search(select(func.count()).select_from(InspectionDue), q)


def due_summary(session: Session, month: str | None = None, q: str | None = None,
                today: date | None = None) -> DueSummary:
    """The month's counts: overdue, due in the month, due within the warning, per area (units at home
    by the postcode of their loan), and the next twelve months — ranges along the due date's index."""
    today = today or local_today()
    first, last = month_bounds(month, today)
    window = or_(InspectionDue.due_on < today, InspectionDue.due_on.between(first, last))
    # Two plain ranges of the due date's index (an OR of both would read them with a filter).
    counts = session.execute(select(_due_rows(q).where(InspectionDue.due_on < today).scalar_subquery(),
                                    _due_rows(q).where(InspectionDue.due_on.between(first, last)).scalar_subquery())).one()
    soon = session.scalar(_due_rows(q).where(
        InspectionDue.due_on.between(today, today + timedelta(days=maintenance.WARNING_DAYS))))
    homes = session.execute(
        _due_rows(q).with_only_columns(Citizen.postcode, func.count())
        .join(Loan, and_(Loan.device_id == InspectionDue.device_id, Loan.status != "ended"))
        .join(Citizen, Citizen.id == Loan.citizen_id).where(window)
        .group_by(Citizen.postcode).order_by(func.count().desc(), Citizen.postcode).limit(200)).all()
    at_depot = (counts[0] + counts[1]) - sum(units for _area, units in homes)
    by_area = sorted([(postcode, units) for postcode, units in homes] + ([(AREA_DEPOT, at_depot)] if at_depot > 0 else []),
                     key=lambda pair: (-pair[1], pair[0]))
    months = []
    cursor = today.replace(day=1)
    for _ in range(12):
        # Each month counted no further than the cap: the navigation needs «over 10 000», not the figure.
        end = (cursor + timedelta(days=32)).replace(day=1)
        capped = _due_rows(q).with_only_columns(InspectionDue.device_id).where(
            InspectionDue.due_on >= cursor, InspectionDue.due_on < end).limit(MONTH_COUNT_CAP + 1).subquery()
        months.append((cursor, session.scalar(select(func.count()).select_from(capped))))
        cursor = end
    return DueSummary(first, counts[0], counts[1], soon or 0, by_area, months)


def plan_inspection_visits(session: Session, actor_id: int | None, until: date | None = None,
                           today: date | None = None) -> int:
    """Every unit at a citizen's home due by ``until`` (default: the warning's horizon) gets a visit
    (an overdue one urgent), on the door's next visit; how many were planned now."""
    today = today or local_today()
    until = until or today + timedelta(days=maintenance.WARNING_DAYS)
    rows = session.execute(
        select(Device.barcode, InspectionDue.due_on).join(Device, Device.id == InspectionDue.device_id)
        .where(InspectionDue.due_on <= until, Device.state == DeviceState.ON_LOAN.value,
               ~exists().where(StopItem.device_id == Device.id, StopItem.active.is_(True)))
        .order_by(InspectionDue.due_on).limit(5000)).all()
    for barcode, due_on in rows:
        logistics.add_inspection_visit(session, actor_id, barcode, due_on, urgent=due_on < today)
    return len(rows)


_KIND_LABELS = {"periodic": "Periodisk kontroll", "after_loan": "Kontroll etter utlån"}
_PLACE_LABELS = {"home": "Hos bruker", "depot": "På lageret"}


def plan_text(schedule: maintenance.Schedule, name: str | None) -> str:
    if not schedule.periodic and not schedule.plan_id:
        return "Ingen plan for periodisk kontroll"
    every = (f"hver {schedule.months}. måned" if schedule.months else
             f"hver {schedule.days}. dag" if schedule.days else "")
    parts = [every, "etter hvert utlån" if schedule.after_each_loan else ""]
    return f"{name or 'Produktets intervall'}: " + " og ".join(part for part in parts if part)


def inspection_report(session: Session, barcode: str, limit: int = 100) -> InspectionReport:
    """The unit's inspections, newest first, with each checklist's answers in words."""
    device = get_device(session, barcode)
    product = device.product
    schedule = maintenance.schedule_for_product(session, product)
    plan = session.get(MaintenancePlan, schedule.plan_id) if schedule.plan_id else None
    name = func.coalesce(func.nullif(User.full_name, ""), User.username)
    names = dict(session.execute(select(User.id, name).where(User.id.in_(
        select(Inspection.inspector_id).where(Inspection.device_id == device.id)))).all())
    # Each failed point's reason is kept in the history event of its inspection (``failures`` by point).
    reasons_of = {data.get("inspection_id"): data.get("failures") or {} for data in session.scalars(
        select(DeviceEvent.data).where(DeviceEvent.device_id == device.id,
                                       DeviceEvent.kind.in_(("inspected", "periodic_inspection"))))
        if isinstance(data, dict) and data.get("inspection_id")}
    entries = []
    for inspection in maintenance.inspection_history(session, device.barcode, limit):
        checklist = maintenance.CHECKLIST_NAMES.get(inspection.checklist, schedule.checklist)
        reasons = reasons_of.get(inspection.id, {})
        points = tuple(CheckedPoint(checklist.items.get(key, key), bool(ok), reasons.get(key, ""))
                       for key, ok in (inspection.results or {}).items())
        entries.append(InspectionEntry(local_time(inspection.inspected_at), _KIND_LABELS.get(inspection.kind, inspection.kind),
                                       _PLACE_LABELS.get(inspection.place, inspection.place),
                                       names.get(inspection.inspector_id, ""), inspection.passed, inspection.next_due_on,
                                       inspection.note, points))
    return InspectionReport(device.barcode, product.name, product.hms_nr or "", device.serial_number or device.nav_serial or "",
                            "NAV" if device.owner == "nav" else "Kommunen", plan_text(schedule, plan.name if plan else None),
                            maintenance.due_date(session, device.id), tuple(entries))
