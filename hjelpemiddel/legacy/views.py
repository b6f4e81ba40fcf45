"""``/admin/import``: upload the old system's files, read the dry run's report, then import for real.
The upload is kept server-side (instance folder, one file per upload) until it is imported."""
from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from ..core.db import get_session
from ..core.errors import AppError, NotFound
from ..core.http import current_user, roles_required
from ..core.paging import list_page, page_number
from .reading import KIND_LABELS, read_file
from .services import OUTCOME_LABELS, import_tables

bp = Blueprint("legacy_web", __name__, template_folder="templates")
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
PAGE_SIZE = 50


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "legacy-import"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _forget_old_uploads(max_age_seconds: int = 24 * 3600) -> None:
    """Uploads that were tried but never imported are not kept past a day."""
    cutoff = time.time() - max_age_seconds
    for path in _folder().glob("*--*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _stored(token: str) -> tuple[Path, str]:
    match = next(iter(_folder().glob(f"{token}--*")), None) if _TOKEN.match(token) else None
    if match is None:
        raise NotFound("Fant ikke den opplastede filen; last den opp på nytt.")
    return match, match.name.split("--", 1)[1]


def _run(token: str, dry_run: bool):
    path, name = _stored(token)
    tables = read_file(name, path.read_bytes())
    return import_tables(get_session(), current_app.extensions["fnr_vault"], current_user().id, tables, dry_run)


@bp.get("/admin/import")
@roles_required()
def import_page():
    return render_template("legacy/import.html", error=None)


@bp.post("/admin/import")
@roles_required()
def import_upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("legacy/import.html", error="Fil: velg en CSV- eller XLSX-fil."), 400
    name = re.sub(r"[^\w.-]", "_", Path(upload.filename).name)[:100]
    raw = upload.read()
    try:
        read_file(name, raw)  # refuse an unreadable file at once, not on the report page
    except AppError as error:
        return render_template("legacy/import.html", error=error.message), 400
    _forget_old_uploads()
    token = secrets.token_hex(16)
    (_folder() / f"{token}--{name}").write_bytes(raw)
    return redirect(url_for("legacy_web.import_report", token=token))


@bp.get("/admin/import/<token>")
@roles_required()
def import_report(token: str):
    outcomes = _run(token, dry_run=True)
    counts = Counter(o.outcome for o in outcomes)
    chosen = request.args.get("utfall", "")
    shown = [o for o in outcomes if o.outcome == chosen] if chosen in OUTCOME_LABELS else outcomes
    page = list_page(shown, page_number(request.args.get("side")), PAGE_SIZE)
    return render_template("legacy/report.html", page=page, counts=counts, chosen=chosen, token=token,
                           labels=OUTCOME_LABELS, kinds=KIND_LABELS, done=False)


@bp.post("/admin/import/<token>")
@roles_required()
def import_run(token: str):
    outcomes = _run(token, dry_run=False)
    _stored(token)[0].unlink()
    counts = Counter(o.outcome for o in outcomes)
    refused = [o for o in outcomes if o.outcome == "refused"]
    return render_template("legacy/report.html", page=list_page(refused, 1, 10_000), counts=counts, chosen="refused",
                           token=token, labels=OUTCOME_LABELS, kinds=KIND_LABELS, done=True)
