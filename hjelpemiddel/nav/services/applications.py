"""Long-term applications (søknad) to NAV: a need a therapist sends to NAV is queued in the outbox,
submitted with the citizen's fnr (read only then, and logged), and followed at NAV until it is
decided. NAV's order line for the device then ties the delivery to the need (see ``sync``)."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from integrations.nav.port import NavPort, Soknad, SoknadHjelpemiddel

from ...catalog.models import Product
from ...citizens.models import Citizen
from ...citizens.services import fnr_sent_to_nav
from ...core.crypto import FnrVault
from ...core.db import utcnow
from ...lending import services as lending
from ...lending.events import NeedSentToNav
from ..models import NavApplication, NavOutboxMessage
from .common import enqueue

APPLICATION_STATUS_LABELS = {
    "queued": "Venter på å bli sendt (NAV svarer ikke)", "refused": "Avvist av NAV",
    "ENDELIG_JOURNALFØRT": "Registrert hos NAV", "VEDTAKSRESULTAT_INNVILGET": "Innvilget av NAV",
    "VEDTAKSRESULTAT_AVSLÅTT": "Avslått av NAV", "UTSENDING_STARTET": "NAV har sendt hjelpemiddelet",
}
_FINAL = ("VEDTAKSRESULTAT_AVSLÅTT", "UTSENDING_STARTET")


def enqueue_application(session: Session, event: NeedSentToNav) -> NavApplication:
    """Handler: the need goes to NAV through the outbox (its key makes a resend after a crash harmless)."""
    application = NavApplication(need_id=event.need_id, uuid=str(uuid.uuid4()), sent_by_id=event.actor_id)
    session.add(application)
    session.flush()
    enqueue(session, "application", {"need_id": event.need_id, "application_id": application.id},
            key=application.uuid)
    return application


def _soknad(session: Session, vault: FnrVault, application: NavApplication) -> Soknad:
    need = lending.get_need(session, application.need_id)
    product = session.get(Product, need.product_id) if need.product_id else None
    fnr = fnr_sent_to_nav(session, vault, need.citizen_id, application.sent_by_id,
                          "Søknad om hjelpemiddel sendt til NAV")
    line = SoknadHjelpemiddel(beskrivelse=product.name if product else f"ISO {need.iso_class}", antall=need.quantity,
                              hmsnr=product.hms_nr if product else None,
                              iso_kategori=None if product and product.hms_nr else (product.iso_class if product
                                                                                    else need.iso_class))
    citizen = session.get(Citizen, need.citizen_id)
    return Soknad(id=application.uuid, fnr_bruker=fnr, hjelpemidler=(line,), kommunenummer=citizen.kommunenummer,
                  merknad=need.notes or None)


def send_application(session: Session, port: NavPort, message: NavOutboxMessage, vault: FnrVault | None) -> None:
    """Outbox sender: NAV registers the application and answers with its case number."""
    application = session.get(NavApplication, message.payload["application_id"])
    answer = port.submit_application(_soknad(session, vault, application), message.idempotency_key)
    application.status, application.saksnummer, application.sent_at = "sent", answer.saksnummer, utcnow()
    application.nav_status = answer.status
    lending.record_need_event(session, lending.get_need(session, application.need_id), "nav_registered", None,
                              note=f"Søknaden er registrert hos NAV, saksnummer {answer.saksnummer}")


def application_refused(session: Session, message: NavOutboxMessage, problem: Exception) -> None:
    application = session.get(NavApplication, message.payload["application_id"])
    application.status = "refused"
    application.refusal_message = getattr(problem, "message", None) or str(problem)
    lending.set_nav_status(session, None, application.need_id, "rejected",
                           note=f"NAV tok ikke imot søknaden: {application.refusal_message}")


def open_application_ids(session: Session, limit: int = 200) -> list[int]:
    return list(session.scalars(select(NavApplication.id).where(
        NavApplication.status == "sent", NavApplication.saksnummer.is_not(None),
        NavApplication.nav_status.not_in(_FINAL)).order_by(NavApplication.id).limit(limit)))


def refresh_application(session: Session, port: NavPort, application_id: int) -> NavApplication:
    """Follow a sent application at NAV; its decision reaches the need."""
    application = session.get(NavApplication, application_id, with_for_update=True)
    case = port.application_status(application.saksnummer)
    before = application.nav_status
    application.nav_status, application.status_checked_at = case.status, utcnow()
    need = lending.get_need(session, application.need_id)
    decided = "approved" if case.granted else "rejected" if case.refused else None
    # NAV's order line may already have told the need a delivery is on its way: never step back.
    if case.status != before and decided and need.nav_status in (None, "sent"):
        reason = f": {case.begrunnelse}" if case.begrunnelse else ""
        lending.set_nav_status(session, None, application.need_id, decided,
                               note=f"{APPLICATION_STATUS_LABELS[case.status]} (sak {application.saksnummer}){reason}")
    session.flush()
    return application


def application_for_need(session: Session, need_id: int) -> NavApplication | None:
    return session.scalar(select(NavApplication).where(NavApplication.need_id == need_id))
