"""Admin's follow-up page for the fnr access log (bokmål)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from ..core.db import get_session
from ..core.errors import AppError
from ..core.http import export_format, export_response, parse, roles_required
from ..core.schemas import shared
from . import services
from .schemas import FollowUpQuery

bp = Blueprint("citizens_web", __name__, template_folder="templates")
PAGE_SIZE = 50


@bp.get("/admin/fnr-tilgang")
@roles_required()
def follow_up_page():
    threshold = current_app.config["FNR_FOLLOW_UP_THRESHOLD"]
    # The filter form sends every field; an empty one means no filter.
    args = {key: value for key, value in request.args.items() if value.strip() and key != "format"}
    error = None
    fmt = export_format()
    if fmt:
        query = parse(shared(FollowUpQuery), args)
        return export_response(fmt, "fnr-tilgang", services.FOLLOW_UP_HEADINGS,
                               services.follow_up_export_rows(get_session(), threshold=threshold, **query))
    try:
        query = parse(shared(FollowUpQuery), args)
        query["limit"] = min(query["limit"], PAGE_SIZE)
        page = services.access_follow_up(get_session(), threshold=threshold, **query)
    except AppError as err:
        error = err
        query = {**shared(FollowUpQuery).load({}), "limit": PAGE_SIZE}
        page = services.access_follow_up(get_session(), threshold=threshold, **query)
    # A bad filter shows the message over the default view: the page itself still answers.
    return render_template("citizens/follow_up.html", page=page, query=query, error=error,
                           page_size=query["limit"], per_hour=current_app.config["FNR_LOOKUPS_PER_HOUR"])
