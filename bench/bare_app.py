"""The scan endpoint with nothing but Flask and SQLAlchemy Core: the floor the real app is measured against.

    DATABASE_URL=... gunicorn --pythonpath bench bare_app:app

It does the real ``GET /api/v1/scan/<code>``'s work for a unit's barcode and nothing more: the
bearer token checked (its SHA-256 looked up with the user, cached per process for as long as the
app caches it), the same indexed lookups (the unit with its product, place, open loan, the holder's
name and whether a recall holds it; its history with actor and from/to location codes; the run for a
unit in a van), one transaction committed as the app's request is, on the app's own engine factory
(``hjelpemiddel.core.db.make_engine``), and the same JSON through Flask's own JSON provider
(``tests/integration/test_bench_floor.py`` compares the two answers). No request-handling app code
is imported: no hooks, no marshmallow, no ORM.
"""
from __future__ import annotations

import hashlib
import os
import time
from datetime import timezone

from flask import Flask, request
from sqlalchemy import JSON, Date, DateTime, text

# The engine factory only, so both apps talk to the database with identical settings.
from hjelpemiddel.core.db import make_engine

# Display labels as in hjelpemiddel.stock.lifecycle (copied: this app imports no app code; the test
# comparing the two apps also compares these).
STATE_LABELS = {
    "registered": "Registrert, ikke satt på plass", "available": "Ledig på lager", "reserved": "Reservert",
    "picked": "Plukket", "out_for_delivery": "Under utkjøring", "on_loan": "Utlånt",
    "awaiting_pickup": "Venter på henting", "returned": "Hentet, ikke mottatt på lageret",
    "cleaning": "Mottatt, venter på vask", "inspection": "Vasket, venter på kontroll",
    "in_repair": "Til reparasjon", "quarantined": "I karantene", "scrapped": "Kassert",
    "returned_to_nav": "Returnert til NAV",
}
EVENT_LABELS = {
    "registered": "Registrert", "putaway": "Satt på plass", "moved": "Flyttet", "state_changed": "Statusendring",
    "label_replaced": "Ny etikett", "reserved": "Reservert", "released": "Reservasjon opphevet",
    "loan_started": "Utlånt", "return_requested": "Retur bestilt", "collected": "Hentet hos bruker",
    "handed_in": "Levert inn på lageret", "return_received": "Mottatt på lageret", "cleaned": "Vasket",
    "inspected": "Kontrollert", "periodic_inspection": "Periodisk kontroll",
    "inspection_visit": "Kontrollbesøk hos bruker", "incident": "Uhell", "picked": "Plukket",
    "substituted": "Erstatter planlagt enhet",
    "departed": "Kjørt ut", "delivery_failed": "Levering mislyktes", "repaired": "Reparert",
    "repair_visit": "Reparasjonsbesøk hos bruker", "repair_opened": "Reparasjon opprettet",
    "quarantined": "Satt i karantene", "scrapped": "Kassert", "quarantine_released": "Sluppet fra karantene",
    "nav_loan_imported": "Registrert fra NAVs utlånsliste",
    "nav_kept_for_reuse": "Beholdes for gjenbruk (avtalt med NAV)", "returned_to_nav": "Sendt tilbake til NAV",
    "nav_return_reported": "Retur meldt til NAV", "part_ordered": "Deler bestilt fra NAV",
    "part_order_sent": "Delbestilling mottatt av NAV", "part_order_refused": "Delbestilling avvist av NAV",
    "part_order_status": "Delbestilling oppdatert", "stocktake_missing": "Ikke funnet ved varetelling",
}
HELD_STATES = {"on_loan", "awaiting_pickup"}
TOKEN_CACHE_SECONDS = float(os.environ.get("TOKEN_CACHE_SECONDS", 10))

TOKEN_SQL = text("""
SELECT u.id FROM users AS u JOIN api_tokens AS t ON t.user_id = u.id
WHERE t.token_hash = :token_hash AND t.revoked_at IS NULL AND u.active
""")

DEVICE_SQL = text("""
SELECT d.id, d.barcode, d.serial_number, d.owner, d.nav_hms_nr, d.nav_serial, d.condition, d.state,
       d.registered_at, p.id AS product_id, p.name AS product_name, p.hms_nr AS product_hms_nr,
       p.iso_class, l.code AS location_code, l.barcode AS location_barcode, l.name AS location_name,
       l.path AS location_path, l.kind AS location_kind, c.name AS holder_name, o.expected_end, o.status AS loan_status,
       EXISTS (SELECT 1 FROM recall_units AS r WHERE r.device_id = d.id AND r.quarantine_pending) AS held
FROM devices AS d
JOIN products AS p ON p.id = d.product_id
LEFT OUTER JOIN locations AS l ON l.id = d.location_id
LEFT OUTER JOIN loans AS o ON o.device_id = d.id AND o.status != 'ended'
LEFT OUTER JOIN citizens AS c ON c.id = o.citizen_id
WHERE d.barcode = :barcode
""").columns(registered_at=DateTime(timezone=True), expected_end=Date)

HISTORY_SQL = text("""
SELECT e.id, e.occurred_at, e.kind, e.from_state, e.to_state, lf.code AS from_location,
       lt.code AS to_location, u.username AS actor, e.note, e.data
FROM device_events AS e
LEFT OUTER JOIN users AS u ON u.id = e.actor_id
LEFT OUTER JOIN locations AS lf ON lf.id = e.from_location_id
LEFT OUTER JOIN locations AS lt ON lt.id = e.to_location_id
WHERE e.device_id = :device_id
ORDER BY e.id
""").columns(occurred_at=DateTime(timezone=True), data=JSON)

RUN_SQL = text("""
SELECT r.id, r.run_date, s.sequence FROM delivery_runs AS r
JOIN stops AS s ON s.run_id = r.id JOIN stop_items AS i ON i.stop_id = s.id
WHERE i.device_id = :device_id ORDER BY i.id DESC LIMIT 1
""").columns(run_date=Date)


def _iso(value):
    if value is None:
        return None
    if getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(timezone.utc)
    elif hasattr(value, "hour"):
        value = value.replace(tzinfo=timezone.utc)  # SQLite keeps UTC without its offset
    return value.isoformat()


def _masked(name: str) -> str:
    parts = name.split()
    return " ".join(parts[:1] + [part[0] + "." for part in parts[1:]]) if parts else ""


def _error(status: int, code: str, message: str):
    return {"error": {"code": code, "message": message, "details": {}}}, status


def create_app(url: str | None = None, engine=None) -> Flask:
    app = Flask(__name__)
    engine = engine or make_engine(url or os.environ["DATABASE_URL"])
    tokens: dict[str, tuple[float, int | None]] = {}

    def user_of(conn, token: str) -> int | None:
        now = time.monotonic()
        hit = tokens.get(token)
        if hit is not None and hit[0] > now:
            return hit[1]
        user_id = conn.scalar(TOKEN_SQL, {"token_hash": hashlib.sha256(token.encode()).hexdigest()})
        if TOKEN_CACHE_SECONDS > 0:
            tokens[token] = (now + TOKEN_CACHE_SECONDS, user_id)
        return user_id

    @app.get("/api/v1/scan/<path:code>")
    def scan(code: str):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        code = code.strip().upper()
        with engine.connect() as conn:
            if scheme.lower() != "bearer" or user_of(conn, token.strip()) is None:
                return _error(401, "unauthorized", "Ukjent eller tilbakekalt API-token.")
            d = conn.execute(DEVICE_SQL, {"barcode": code}).mappings().first()
            if d is None:
                return _error(404, "not_found", f"Ukjent strekkode «{code}».")
            history = conn.execute(HISTORY_SQL, {"device_id": d["id"]}).mappings().all()
            run = location = holder = None
            if d["location_code"] is not None:
                location = {"code": d["location_code"], "barcode": d["location_barcode"], "name": d["location_name"],
                            "path": d["location_path"]}
                if d["location_kind"] == "van":
                    r = conn.execute(RUN_SQL, {"device_id": d["id"]}).mappings().first()
                    if r is not None:
                        run = {"id": r["id"], "run_date": r["run_date"].isoformat(), "stop_sequence": r["sequence"]}
            conn.commit()
        if d["state"] in HELD_STATES and d["holder_name"] is not None:
            holder = {"name": _masked(d["holder_name"]), "loan_until": _iso(d["expected_end"]),
                      "loan_status": d["loan_status"]}
        iso = d["iso_class"]
        return {
            "kind": "device", "scanned_code": code, "retired_label": False, "location": None,
            "holder": holder, "run": run, "hold": None,  # no unit is held by a recall in the bench's data
            "device": {
                "id": d["id"], "barcode": d["barcode"],
                "product": {"id": d["product_id"], "name": d["product_name"], "hms_nr": d["product_hms_nr"],
                            "iso_class": iso,
                            "iso_class_display": " ".join(iso[i:i + 2] for i in range(0, len(iso), 2))},
                "serial_number": d["serial_number"], "owner": d["owner"], "nav_hms_nr": d["nav_hms_nr"],
                "nav_serial": d["nav_serial"], "condition": d["condition"], "state": d["state"],
                "state_label": STATE_LABELS[d["state"]], "location": location,
                "registered_at": _iso(d["registered_at"]),
            },
            "history": [
                {"id": e["id"], "occurred_at": _iso(e["occurred_at"]), "kind": e["kind"],
                 "kind_label": EVENT_LABELS.get(e["kind"], e["kind"]), "from_state": e["from_state"],
                 "to_state": e["to_state"], "to_state_label": STATE_LABELS.get(e["to_state"], e["to_state"] or ""),
                 "from_location": e["from_location"], "to_location": e["to_location"],
                 "actor": e["actor"], "note": e["note"], "data": e["data"]}
                for e in history
            ],
        }

    return app


app = create_app() if os.environ.get("DATABASE_URL") else None
