"""The scan endpoint with nothing but Flask and SQLAlchemy Core: the floor the real app is measured against.

    DATABASE_URL=... gunicorn --pythonpath bench bare_app:app

It runs the same two indexed queries as ``GET /api/v1/scan/<code>`` in the app (the device by
barcode joined with its product and location; that device's events with actor username and
from/to location codes, ordered by id), in one transaction that is committed like the app's
request, on the app's own engine factory (``hjelpemiddel.core.db.make_engine``), and answers
JSON of the same shape through Flask's own JSON provider. No request-handling app code is imported; no auth
(the Authorization header is ignored), no marshmallow, no ORM.
"""
from __future__ import annotations

import os
from datetime import timezone

from flask import Flask
from sqlalchemy import JSON, DateTime, text

# The engine factory only, so both apps talk to the database with identical settings.
from hjelpemiddel.core.db import make_engine

# Display labels as in hjelpemiddel.stock.lifecycle (copied: this app imports no app code).
STATE_LABELS = {
    "registered": "Registrert", "available": "Ledig på lager", "reserved": "Reservert", "picked": "Plukket",
    "out_for_delivery": "Under utkjøring", "on_loan": "Utlånt", "awaiting_pickup": "Venter på henting",
    "returned": "Returnert", "cleaning": "Til vask/klargjøring", "inspection": "Til kontroll",
    "in_repair": "Til reparasjon", "quarantined": "I karantene", "scrapped": "Kassert",
    "returned_to_nav": "Returnert til NAV",
}
EVENT_LABELS = {"registered": "Registrert", "putaway": "Satt på plass", "moved": "Flyttet",
                "state_changed": "Statusendring", "label_replaced": "Ny etikett"}


DEVICE_SQL = text("""
SELECT d.id, d.barcode, d.serial_number, d.owner, d.nav_hms_nr, d.nav_serial, d.condition, d.state,
       d.registered_at, p.id AS product_id, p.name AS product_name, p.hms_nr AS product_hms_nr,
       p.iso_class, l.code AS location_code, l.barcode AS location_barcode, l.name AS location_name,
       l.path AS location_path
FROM devices AS d
LEFT OUTER JOIN products AS p ON p.id = d.product_id
LEFT OUTER JOIN locations AS l ON l.id = d.location_id
WHERE d.barcode = :barcode
""").columns(registered_at=DateTime(timezone=True))

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


def _iso(value):
    if value is None:
        return None
    value = value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return value.isoformat()


def create_app(url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = make_engine(url or os.environ["DATABASE_URL"])

    @app.get("/api/v1/scan/<path:code>")
    def scan(code: str):
        code = code.strip().upper()
        with engine.connect() as conn:
            d = conn.execute(DEVICE_SQL, {"barcode": code}).mappings().first()
            if d is None:
                return {"error": {"code": "not_found", "message": f"Ukjent strekkode «{code}».",
                                  "details": {"code": code}}}, 404
            history = conn.execute(HISTORY_SQL, {"device_id": d["id"]}).mappings().all()
            conn.commit()
        iso = d["iso_class"]
        location = None
        if d["location_code"] is not None:
            location = {"code": d["location_code"], "barcode": d["location_barcode"], "name": d["location_name"],
                        "path": d["location_path"]}
        return {
            "kind": "device",
            "scanned_code": code,
            "retired_label": False,
            "location": None,
            "device": {
                "id": d["id"], "barcode": d["barcode"],
                "product": {"id": d["product_id"], "name": d["product_name"], "hms_nr": d["product_hms_nr"],
                            "iso_class": iso,
                            "iso_class_display": " ".join(iso[i:i + 2] for i in range(0, len(iso), 2))},
                "serial_number": d["serial_number"], "owner": d["owner"], "nav_hms_nr": d["nav_hms_nr"],
                "nav_serial": d["nav_serial"], "condition": d["condition"], "state": d["state"],
                "state_label": STATE_LABELS[d["state"]], "location": location, "holder": None,
                "registered_at": _iso(d["registered_at"]),
            },
            "history": [
                {"id": e["id"], "occurred_at": _iso(e["occurred_at"]), "kind": e["kind"],
                 "kind_label": EVENT_LABELS.get(e["kind"], e["kind"]), "from_state": e["from_state"],
                 "to_state": e["to_state"], "from_location": e["from_location"], "to_location": e["to_location"],
                 "actor": e["actor"], "note": e["note"], "data": e["data"]}
                for e in history
            ],
        }

    return app


app = create_app() if os.environ.get("DATABASE_URL") else None
