"""Settings from the environment; nothing here is read at import time by other modules."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def load_config(instance_path: str, overrides: dict | None = None) -> dict:
    env = os.environ
    config = {
        "SECRET_KEY": env.get("SECRET_KEY"),
        "DATABASE_URL": env.get("DATABASE_URL")
        or "sqlite:///" + os.path.join(instance_path, "hjelpemiddel.sqlite3"),
        "ENV": env.get("HJELPEMIDDEL_ENV", "development"),
        # Large enough for a catalogue CSV, small enough that a runaway client cannot exhaust memory.
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", 4 * 1024 * 1024)),
        "LABEL_LAYOUTS_DIR": env.get("LABEL_LAYOUTS_DIR", str(REPO_ROOT / "labels")),
        "DEFAULT_LABEL_LAYOUT": env.get("DEFAULT_LABEL_LAYOUT", "a4-3x8"),
        "ZPL_LABEL_LAYOUT": env.get("ZPL_LABEL_LAYOUT", "zebra-57x32"),
        "DEPOT_NAME": env.get("DEPOT_NAME", "Hjelpemiddellageret"),
        "SQL_ECHO": env.get("SQL_ECHO") == "1",
        "TOKEN_CACHE_SECONDS": float(env.get("TOKEN_CACHE_SECONDS", 10)),
        "LOAN_DEFAULT_DAYS": int(env.get("LOAN_DEFAULT_DAYS", 90)),
        "FNR_ENCRYPTION_KEYS": env.get("FNR_ENCRYPTION_KEYS", ""),
        "FNR_HASH_KEY": env.get("FNR_HASH_KEY", ""),
        # The hash key being replaced, while `hjelpemiddel privacy rotate-keys` runs (then remove it).
        "FNR_OLD_HASH_KEY": env.get("FNR_OLD_HASH_KEY", ""),
        # Privacy: fnr searches per user and hour; a day's lookups + reveals above which admin's
        # follow-up page flags a user; how long inactive citizens and the fnr access log are kept.
        "FNR_LOOKUPS_PER_HOUR": int(env.get("FNR_LOOKUPS_PER_HOUR", 20)),
        "FNR_FOLLOW_UP_THRESHOLD": int(env.get("FNR_FOLLOW_UP_THRESHOLD", 30)),
        "CITIZEN_RETENTION_MONTHS": int(env.get("CITIZEN_RETENTION_MONTHS", 24)),
        "ACCESS_LOG_RETENTION_MONTHS": int(env.get("ACCESS_LOG_RETENTION_MONTHS", 60)),
        # NAV: a municipality API of NAV's shape (the fake NAV server in development).
        "NAV_BASE_URL": env.get("NAV_BASE_URL", ""),
        "NAV_TOKEN": env.get("NAV_TOKEN", ""),
        "NAV_TIMEOUT_SECONDS": float(env.get("NAV_TIMEOUT_SECONDS", 10)),
        "NAV_RETRIES": int(env.get("NAV_RETRIES", 4)),
        "NAV_PAGE_SIZE": int(env.get("NAV_PAGE_SIZE", 500)),
        "NAV_SYNC_INTERVAL_MINUTES": float(env.get("NAV_SYNC_INTERVAL_MINUTES", 15)),
        # Where units arriving at the depot are received (returns, NAV deliveries): a location code.
        "RECEIVING_LOCATION": env.get("RECEIVING_LOCATION") or env.get("NAV_RECEIVING_LOCATION", "MOTTAK"),
        # Sessions: idle this long and the login is over (each request renews the cookie).
        "SESSION_IDLE_HOURS": float(env.get("SESSION_IDLE_HOURS", 8)),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Failed logins before a username or a client address must wait, and the window they count in.
        "LOGIN_MAX_FAILURES": int(env.get("LOGIN_MAX_FAILURES", 10)),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(env.get("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)),
        "LOGIN_WINDOW_MINUTES": float(env.get("LOGIN_WINDOW_MINUTES", 15)),
        # Reverse proxies in front of the app whose X-Forwarded-For may be trusted for the client address.
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", 0)),
    }
    config.update(overrides or {})
    config.setdefault("SESSION_COOKIE_SECURE", config["ENV"] == "production")
    config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=config["SESSION_IDLE_HOURS"]))
    return config
