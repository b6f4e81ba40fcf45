from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for

from .auth import ROLE_LABELS, User, authenticate_password, end_sessions
from .db import get_session
from .http import current_user, start_user_session
from .logins import LoginLimits, forget_failed_logins, login_locked_seconds, record_failed_login

bp = Blueprint("web", __name__)

_HOME_BY_ROLE = {"lager": "stock_web.scan_station", "sjafor": "logistics_web.driver_home",
                 "terapeut": "therapist_web.therapist", "admin": "lending_web.start"}


def _safe_next(target: str | None) -> str | None:
    # Only local paths: a login link must not bounce a user to another site.
    if not target:
        return None
    parsed = urlparse(target)
    return target if not parsed.scheme and not parsed.netloc and target.startswith("/") else None


def _login_limits() -> LoginLimits:
    config = current_app.config
    return LoginLimits(per_username=config["LOGIN_MAX_FAILURES"], per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
                       window=timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))


def client_address() -> str:
    """The caller's address; behind TRUSTED_PROXIES reverse proxies, the one the nearest proxy saw."""
    proxies = current_app.config["TRUSTED_PROXIES"]
    forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",") if part.strip()]
    if proxies > 0 and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.remote_addr or "unknown"


def _wait_text(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return f"{minutes} minutt" if minutes == 1 else f"{minutes} minutter"


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", error=None)
    db = get_session()
    username, password = request.form.get("username", ""), request.form.get("password", "")
    limits, address = _login_limits(), client_address()
    wait = login_locked_seconds(db, username, address, limits)
    if wait > 0:
        error = f"For mange mislykkede innlogginger. Vent {_wait_text(wait)} og prøv igjen."
        return render_template("login.html", error=error), 429, {"Retry-After": str(wait)}
    principal = authenticate_password(db, username, password)
    if principal is None:
        record_failed_login(db, username, address, limits)
        # The refused login is answered 401, which rolls the request back: the count must stay.
        db.commit()
        return render_template("login.html", error="Feil brukernavn eller passord."), 401
    forget_failed_logins(db, username)
    start_user_session(principal)
    return redirect(_safe_next(request.args.get("next")) or url_for(_HOME_BY_ROLE[principal.role]))


@bp.post("/logout")
def logout():
    """Ends every session of the user, also cookies copied from this one."""
    user = current_user()
    if user is not None:
        record = get_session().get(User, user.id)
        if record is not None:
            end_sessions(get_session(), record)
    session.clear()
    return redirect(url_for("web.login"))


@bp.get("/")
def index():
    user = current_user()
    if user is None:
        return redirect(url_for("web.login"))
    return redirect(url_for(_HOME_BY_ROLE[user.role]))


@bp.get("/favicon.ico")
def favicon():
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (a PDF, a JSON answer): same icon.
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)
