from __future__ import annotations

from urllib.parse import urlparse

from flask import Blueprint, redirect, render_template, request, session, url_for

from .auth import ROLE_LABELS, authenticate_password
from .db import get_session
from .http import current_user

bp = Blueprint("web", __name__)

_HOME_BY_ROLE = {"lager": "stock_web.scan_station", "sjafor": "logistics_web.driver_home",
                 "terapeut": "lending_web.therapist", "admin": "stock_web.devices"}


def _safe_next(target: str | None) -> str | None:
    # Only local paths: a login link must not bounce a user to another site.
    if not target:
        return None
    parsed = urlparse(target)
    return target if not parsed.scheme and not parsed.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        principal = authenticate_password(get_session(), request.form.get("username", ""), request.form.get("password", ""))
        if principal is not None:
            session.clear()
            session["user_id"] = principal.id
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")) or url_for(_HOME_BY_ROLE[principal.role]))
        error = "Feil brukernavn eller passord."
    return render_template("login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("web.login"))


@bp.get("/")
def index():
    user = current_user()
    if user is None:
        return redirect(url_for("web.login"))
    return redirect(url_for(_HOME_BY_ROLE[user.role]))


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
