"""``/admin/eksport``: the full export as a download, with or without personal data."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from ..citizens.services.access import log_full_export
from ..core.db import get_database, get_session
from ..core.http import current_user, roles_required
from ..core.text import local_today
from .cli import default_name
from .export import archive_chunks, read_snapshot

bp = Blueprint("archive_web", __name__, template_folder="templates")


@bp.get("/admin/eksport")
@roles_required()
def export_page():
    return render_template("archive/export.html")


def _stream(personal: bool):
    vault = current_app.extensions["fnr_vault"]
    database = get_database()

    def chunks():
        # Read after the request's commit, on a connection of its own, closed when the response is.
        with read_snapshot(database) as connection:
            yield from archive_chunks(connection, vault, personal)

    return chunks()


@bp.post("/admin/eksport")
@roles_required()
def export_download():
    personal = request.form.get("variant") != "uten-personopplysninger"
    if personal:  # the archive holds every fnr in clear: a use of them all, logged
        log_full_export(get_session(), current_user().id)
    name = default_name(personal, local_today())
    return Response(_stream(personal), content_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
