from __future__ import annotations

import re

from flask import Blueprint, Response, redirect, render_template, request, url_for

from ..catalog.services import product_from_text
from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_response, current_user, form_data, parse, roles_required
from ..core.paging import page_number
from ..core.schemas import shared
from ..core.text import local_time
from ..documents.recalls import recall_csv
from . import services
from .models import FOUND_WHERE, STATUSES, UNIT_STATUSES
from .schemas import CloseIn, HandledIn, RecallIn

bp = Blueprint("recalls_web", __name__, template_folder="templates")
PAGE_SIZE = 50
PRODUCT_ROWS = 3
_SPLIT = re.compile(r"[\s,;]+")


def _choice(name: str, allowed) -> str | None:
    value = request.args.get(name)
    return value if value in allowed else None


@bp.get("/lager/tilbakekalling")
@roles_required("lager")
def recalls_page():
    status, q = _choice("status", STATUSES), request.args.get("q", "").strip()[:200]
    fmt = export_format()
    if fmt:
        return export_response(fmt, "tilbakekallinger", services.RECALL_HEADINGS,
                               services.recall_export_rows(get_session(), status, q))
    page = services.list_recalls(get_session(), status, q, page_number(request.args.get("side")), 25)
    return render_template("recalls/list.html", page=page, status=status, q=q,
                           STATUS_LABELS=services.RECALL_STATUS_LABELS, ACTION_LABELS=services.ACTION_LABELS)


def _form_page(error: AppError | None = None):
    if error is not None:
        get_session().rollback()
    return render_template("recalls/new.html", form=request.form, error=error, rows=range(PRODUCT_ROWS),
                           ACTION_LABELS=services.ACTION_LABELS), error.status if error else 200


@bp.get("/lager/tilbakekalling/ny")
@roles_required("lager")
def new_recall():
    return _form_page()


def _recall_data() -> dict:
    """The form as the API takes it: products typed or chosen in the type-ahead, serials split."""
    data = form_data()
    session = get_session()
    product_ids = []
    for row in range(PRODUCT_ROWS):
        typed, chosen = data.pop(f"product-{row}", ""), data.pop(f"product-{row}-id", "")
        if chosen.isdigit() and typed:
            product_ids.append(int(chosen))
        elif typed:
            product_ids.append(product_from_text(session, typed, field="product_ids").id)
    data["product_ids"] = product_ids
    if "serials" in data:
        data["serials"] = [serial for serial in _SPLIT.split(data["serials"]) if serial]
    return data


@bp.post("/lager/tilbakekalling/ny")
@roles_required("lager")
def register():
    try:
        recall = services.register_recall(get_session(), current_user().id, **parse(shared(RecallIn), _recall_data()))
    except AppError as err:
        return _form_page(err)
    return redirect(url_for("recalls_web.board_page", recall_id=recall.id, melding="Tilbakekallingen er registrert."))


def _board_page(recall_id: int, error: AppError | None = None):
    session = get_session()
    if error is not None:
        session.rollback()
    status, found = _choice("status", UNIT_STATUSES), _choice("funnet", FOUND_WHERE)
    summary = services.describe_recall(session, recall_id)
    page = services.recall_board(session, recall_id, status, found, page_number(request.args.get("side")), PAGE_SIZE)
    return render_template("recalls/board.html", recall=summary, page=page, status=status, found=found,
                           counts=services.board_counts(session, recall_id), error=error,
                           message=request.args.get("melding"), FOUND_LABELS=services.FOUND_LABELS,
                           ACTION_LABELS=services.ACTION_LABELS, SELECTION_LABELS=services.SELECTION_LABELS,
                           STATUS_LABELS=services.RECALL_STATUS_LABELS), error.status if error else 200


@bp.get("/lager/tilbakekalling/<int:recall_id>")
@roles_required("lager")
def board_page(recall_id: int):
    fmt = export_format()
    if fmt:
        return export_response(fmt, "tilbakekalling-tavle", services.BOARD_HEADINGS,
                               services.board_export_rows(get_session(), recall_id, _choice("status", UNIT_STATUSES),
                                                          _choice("funnet", FOUND_WHERE)))
    return _board_page(recall_id)


@bp.post("/lager/tilbakekalling/<int:recall_id>/enheter/<int:unit_id>/behandlet")
@roles_required("lager")
def mark_handled(recall_id: int, unit_id: int):
    try:
        services.mark_recall_unit_handled(get_session(), current_user().id, recall_id, unit_id,
                                          **parse(shared(HandledIn), form_data()))
    except AppError as err:
        return _board_page(recall_id, err)
    return redirect(url_for("recalls_web.board_page", recall_id=recall_id, status=request.args.get("status"),
                            funnet=request.args.get("funnet"), melding="Enheten er markert som behandlet."))


@bp.post("/lager/tilbakekalling/<int:recall_id>/lukk")
@roles_required("lager")
def close(recall_id: int):
    data = form_data()
    data["force"] = data.get("force") == "ja"
    try:
        services.close_recall(get_session(), current_user().id, recall_id, **parse(shared(CloseIn), data))
    except AppError as err:
        return _board_page(recall_id, err)
    return redirect(url_for("recalls_web.board_page", recall_id=recall_id, melding="Tilbakekallingen er lukket."))


@bp.get("/lager/tilbakekalling/<int:recall_id>/tilbakekalling.csv")
@roles_required("lager")
def board_csv(recall_id: int):
    _recall, rows = services.recall_export(get_session(), recall_id)
    return Response(recall_csv(rows, local_time), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="tilbakekalling-{recall_id}.csv"'})
