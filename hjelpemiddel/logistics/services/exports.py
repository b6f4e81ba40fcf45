"""The runs as rows for a download (``core.exports``): one row per visit, in the order the driver
makes them, with what came of it. The citizen's name as the depot's and the driver's pages show it."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from .runs import RUN_STATUS_LABELS, STOP_STATUS_LABELS, list_runs, run_view

RUN_HEADINGS = ("Dato", "Sjåfør", "Bil", "Runde", "Km", "Stopp", "Besøk", "Innbygger", "Adresse", "Postnummer",
                "Utskrivning", "Hjelpemidler", "Status", "Utfall", "Utført", "Merknad")


def run_export_rows(session: Session, run_date: date | None = None, driver_id: int | None = None):
    """The runs of a day (or the latest, as the list), a driver's own only; one row per visit."""
    for run in list_runs(session, run_date, driver_id):
        view = run_view(session, run.id)
        km = (run.odometer_end - run.odometer_start
              if run.odometer_end is not None and run.odometer_start is not None else None)
        head = (run.run_date, view.driver_name or "", run.van.code if run.van else "",
                RUN_STATUS_LABELS.get(run.status, run.status), km)
        if not view.stops:
            yield head + (None,) * 11
        for number, stop in enumerate(view.stops, start=1):
            yield head + (number, stop.kind_label, stop.citizen.name, stop.address, stop.postcode, stop.urgent,
                          ", ".join(item.barcode for item in stop.items),
                          STOP_STATUS_LABELS.get(stop.status, stop.status), stop.outcome_label, stop.completed_at,
                          stop.outcome_note or stop.note)
