from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..core.db import get_session
from ..core.errors import AppError
from ..core.sorting import SORT_ARGS, sort_order
from ..core.http import current_user, form_data, parse, roles_required
from ..core.schemas import shared
from ..stock.lifecycle import STATE_LABELS
from . import services
from .schemas import QuarantineIn, QuarantineQuery, ReleaseIn

bp = Blueprint("maintenance_web", __name__, template_folder="templates")
PAGE_SIZE = 25


def _quarantine_page(error: AppError | None = None, failed_barcode: str | None = None):
    """The page; after a refused release, that row keeps what was chosen and typed."""
    session = get_session()
    if error is not None:
        session.rollback()
    try:
        # The search form sends every field; an empty one (search text, «Alle» reasons) means no filter.
        query = parse(shared(QuarantineQuery), {key: value for key, value in request.args.items()
                                                if value.strip() and key not in SORT_ARGS})
    except AppError:
        query = {"reason": None, "q": None, "limit": PAGE_SIZE, "offset": 0}
    query["limit"] = min(query["limit"], PAGE_SIZE)
    order = sort_order(request.args, services.QUARANTINE_SORTS, "siden", descending=True)
    units, total = services.list_quarantined(session, **query, sort=order)
    return render_template("maintenance/quarantine.html", units=units, total=total, query=query, error=error, order=order,
                           form=request.form, message=request.args.get("melding"), page_size=query["limit"],
                           failed_barcode=failed_barcode,
                           REASON_LABELS=services.REASON_LABELS, STATE_LABELS=STATE_LABELS), error.status if error else 200


@bp.get("/lager/karantene")
@roles_required("lager")
def quarantine_page():
    return _quarantine_page()


@bp.post("/lager/karantene")
@roles_required("lager")
def quarantine():
    data = form_data()
    barcode = data.pop("barcode", "")
    try:
        services.quarantine_device(get_session(), current_user().id, barcode, **parse(shared(QuarantineIn), data))
    except AppError as err:
        return _quarantine_page(err)
    return redirect(url_for("maintenance_web.quarantine_page", melding=f"{barcode} er satt i karantene."))


@bp.post("/lager/karantene/<barcode>/slipp")
@roles_required("lager")
def release(barcode: str):
    try:
        entry = services.release_device(get_session(), current_user().id, barcode, **parse(shared(ReleaseIn), form_data()))
    except AppError as err:
        return _quarantine_page(err, failed_barcode=barcode)
    return redirect(url_for("maintenance_web.quarantine_page",
                            melding=f"{barcode} er sluppet fra karantene: «{STATE_LABELS[entry.released_to]}»."))
