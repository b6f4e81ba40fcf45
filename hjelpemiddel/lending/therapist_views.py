"""The therapist's pages (bokmål): find a citizen (name, birth date, address), the citizen's page with
their needs, loans and history, a new citizen, and a need form that takes several products at once
(«kurven»). Every save answers on the citizen's page with a confirmation; a refusal keeps what was typed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..catalog.models import Product
from ..catalog.services import match_product
from ..citizens.schemas import CitizenIn
from ..citizens.services import check_citizen_access, list_citizens, register_citizen
from ..core.db import get_session
from ..core.errors import AppError, ValidationFailed
from ..core.http import current_user, form_data, parse, roles_required
from ..core.schemas import shared
from ..core.text import iso_time_from_norwegian
from . import services
from .schemas import BasketIn, ReasonIn, ReturnRequestIn

bp = Blueprint("therapist_web", __name__, template_folder="templates")
PAGE_SIZE = 20
MAX_ROWS = 20
_ROW_KEY = re.compile(r"^rows-(\d{1,2})-(product|product_id|quantity)$")
_ISO_DIGITS = re.compile(r"^\d{4}(\d{2}){0,2}$")


@dataclass
class BasketRow:
    """One line of the basket as the form shows it: what was typed, the product chosen, and when the
    text matched several products, those to choose between."""

    product: str = ""
    product_id: str = ""
    quantity: str = "1"
    candidates: list[Product] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return not self.product.strip() and not self.product_id.strip()


def _norwegian_form() -> dict:
    """The form's fields, blanks left out, with a time typed the Norwegian way made ISO (dates
    typed so every date field takes as they are: core/schemas.py)."""
    data = form_data()
    if "discharge_time" in data:
        data["discharge_time"] = iso_time_from_norwegian(data["discharge_time"])
    return data


# --- finding a citizen ----------------------------------------------------------------------------

@bp.get("/terapeut")
@roles_required("terapeut")
def therapist():
    user, q = current_user(), request.args.get("q", "").strip()[:200]
    page = max(1, min(request.args.get("side", 1, type=int) or 1, 10_000))
    error, citizens = None, []
    try:
        # One row beyond the page says whether there is a next one without counting them all.
        citizens = list_citizens(get_session(), user.role, user.id, q=q or None, limit=PAGE_SIZE + 1,
                                 offset=(page - 1) * PAGE_SIZE)
    except AppError as err:
        error = err
    return render_template("lending/therapist_home.html", citizens=citizens[:PAGE_SIZE], q=q, page=page,
                           has_next=len(citizens) > PAGE_SIZE, error=error), error.status if error else 200


def _new_citizen_page(error: AppError | None = None):
    return render_template("lending/citizen_new.html", error=error, form=request.form), error.status if error else 200


@bp.get("/terapeut/innbygger/ny")
@roles_required("terapeut")
def new_citizen():
    return _new_citizen_page()


@bp.post("/terapeut/innbyggere")
@roles_required("terapeut")
def create_citizen():
    try:
        citizen = register_citizen(get_session(), current_app.extensions["fnr_vault"], current_user().id,
                                   **parse(shared(CitizenIn), form_data()))
    except AppError as err:
        return _new_citizen_page(err)
    return _to_citizen(citizen.id, f"{citizen.name} er registrert. Registrer behovene under.", "nytt-behov")


# --- the citizen's page ---------------------------------------------------------------------------

def _to_citizen(citizen_id: int, message: str, anchor: str = "behov"):
    """Back to the citizen's page at the part that changed, with the confirmation on it."""
    return redirect(url_for("therapist_web.citizen_page", citizen_id=citizen_id, melding=message, _anchor=anchor))


def _citizen_page(citizen_id: int, error: AppError | None = None, rows: list[BasketRow] | None = None,
                  form_name: str | None = None, status: int | None = None):
    session, user = get_session(), current_user()
    citizen = check_citizen_access(session, user.role, user.id, citizen_id)
    needs = services.list_needs(session, user.role, user.id, citizen_id=citizen_id, limit=200)
    loans = services.list_loans_for(session, user.role, user.id, citizen_id=citizen_id, limit=100)
    # Blank rows to fill: without scripts these are the basket's room; the script adds more on demand.
    rows = [*rows, BasketRow()] if rows else [BasketRow() for _ in range(3)]
    return render_template(
        "lending/citizen.html", citizen=citizen, needs=needs, units=services.need_units(session, [n.id for n in needs]),
        loans=loans, timeline=services.citizen_timeline(session, citizen_id), error=error,
        message=request.args.get("melding", "")[:500], rows=rows[:MAX_ROWS], form_name=form_name,
        form=request.form, row_errors=_row_errors(error),
        NEED_EVENT_LABELS=services.NEED_EVENT_LABELS, LOAN_STATUS_LABELS=services.LOAN_STATUS_LABELS,
    ), status or (error.status if error else 200)


def _row_errors(error: AppError | None) -> dict[int, list[str]]:
    """Each basket row's problems, to show beside the row."""
    rows = (error.details or {}).get("rows") if isinstance(error, ValidationFailed) else None
    if not isinstance(rows, dict):
        return {}
    return {int(index): [message for messages in problems.values() for message in messages]
            for index, problems in rows.items() if isinstance(problems, dict)}


@bp.get("/terapeut/innbygger/<int:citizen_id>")
@roles_required("terapeut")
def citizen_page(citizen_id: int):
    return _citizen_page(citizen_id)


def _basket_rows() -> list[BasketRow]:
    rows: dict[int, BasketRow] = {}
    for key, value in request.form.items():
        match = _ROW_KEY.match(key)
        if match and int(match.group(1)) < MAX_ROWS:
            setattr(rows.setdefault(int(match.group(1)), BasketRow()), match.group(2), value.strip()[:200])
    return [rows[index] for index in sorted(rows)]


def _resolve(session, row: BasketRow) -> tuple[dict, str | None]:
    """The row as the service takes it, or what is wrong with it. A chosen product wins; typed text
    is a product found by name or HMS-nr, which must be one product, or else an ISO class (digits)."""
    if row.product_id.isdigit():
        product = session.get(Product, int(row.product_id))
        if product is not None:
            row.product, row.candidates = product.name, []
            return {"product_id": product.id, "quantity": row.quantity}, None
    text = row.product.strip()
    match = match_product(session, text, MAX_ROWS)
    digits = re.sub(r"[\s.]", "", text)
    # An HMS-nr has six digits like an ISO class: a product with that number is meant first.
    if not match.exact and _ISO_DIGITS.match(digits):
        return {"iso_class": digits, "quantity": row.quantity}, None
    if match.product is not None:
        row.product, row.product_id, row.candidates = match.product.name, str(match.product.id), []
        return {"product_id": match.product.id, "quantity": row.quantity}, None
    row.product_id, row.candidates = "", match.candidates
    if not match.candidates:
        return {}, f"Fant ikke noe produkt som passer «{text}»."
    return {}, f"Flere produkter passer «{text}»: velg ett i listen."


@bp.post("/terapeut/innbygger/<int:citizen_id>/behov")
@roles_required("terapeut")
def create_needs(citizen_id: int):
    session, user = get_session(), current_user()
    check_citizen_access(session, user.role, user.id, citizen_id)
    rows = [row for row in _basket_rows() if not row.blank]
    try:
        if not rows:
            raise ValidationFailed.for_field("rows", "Legg minst ett produkt i kurven.")
        resolved, problems = [], {}
        for index, row in enumerate(rows):
            data, problem = _resolve(session, row)
            resolved.append(data)
            if problem:
                problems[index] = {"product": [problem]}
        if problems:
            first = min(problems)
            raise ValidationFailed(f"Rad {first + 1}: {problems[first]['product'][0]} Ingenting er lagret.",
                                   {"rows": problems})
        data = {key: value for key, value in _norwegian_form().items() if not key.startswith("rows-")}
        needs = services.register_needs(session, user.id, user.role,
                                        **parse(shared(BasketIn), {**data, "citizen_id": citizen_id, "rows": resolved}))
    except AppError as err:
        return _citizen_page(citizen_id, err, rows=rows or None, form_name="need")
    names = ", ".join(f"{n.product.name if n.product else 'ISO ' + n.iso_class} × {n.quantity}" for n in needs)
    count = "1 behov" if len(needs) == 1 else f"{len(needs)} behov"
    return _to_citizen(citizen_id, f"Registrert {count}: {names}.")


def _need_action(need_id: int, action, message: str):
    session, user = get_session(), current_user()
    need = services.check_need_access(session, user.role, user.id, need_id)
    try:
        action(session, user, need)
    except AppError as err:
        return _citizen_page(need.citizen_id, err)
    return _to_citizen(need.citizen_id, message)


@bp.post("/terapeut/behov/<int:need_id>/nav")
@roles_required("terapeut")
def send_to_nav(need_id: int):
    return _need_action(need_id, lambda session, user, need: services.decide_need(
        session, user.id, user.role, need.id, "send_to_nav"), "Søknaden er sendt til NAV.")


@bp.post("/terapeut/behov/<int:need_id>/kanseller")
@roles_required("terapeut")
def cancel_need(need_id: int):
    def cancel(session, user, need):
        services.cancel_need(session, user.id, need.id, **parse(shared(ReasonIn), form_data()))
    return _need_action(need_id, cancel, "Behovet er kansellert.")


def loan_action_for_therapist(loan_id: int, action, schema):
    """Return or extension of a loan from the citizen's page: back there, with the error if refused."""
    session, user = get_session(), current_user()
    loan = services.check_loan_access(session, user.role, user.id, loan_id)
    try:
        data = _norwegian_form()
        action(session, user.id, loan_id, **parse(shared(schema), data))
    except AppError as err:
        return _citizen_page(loan.citizen_id, err, form_name=f"loan-{loan_id}")
    message = "Retur er bestilt." if schema is ReturnRequestIn else "Utlånet er forlenget."
    return _to_citizen(loan.citizen_id, message, "utlan")

