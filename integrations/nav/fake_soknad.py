"""The fake NAV's applications (søknader) for long-term loan, as methods of its state.

An application is journaled at once (``ENDELIG_JOURNALFØRT``). Its case then moves forward with
the fake's clock, by age, whenever the fake handles anything: after ``decide_after_minutes`` NAV
decides -- ``VEDTAKSRESULTAT_AVSLÅTT`` with a reason for the citizens in ``refuse_applications``,
else ``VEDTAKSRESULTAT_INNVILGET``: per device and unit an order line on its way to the
municipality (``BOOKED``, ``ReferanseNummer`` ``HMS-<saksnummer>``) and an active loan for the
citizen, as ``approve`` does. ``ship_after_minutes`` after the decision, ``UTSENDING_STARTET``:
the lines come again as ``SHIPPED`` (with new sequence numbers, so a sync sees them).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .fake_data import TIME_FORMAT, parse_time, product_for, public
from .fake_store import operation
from .port import ApplicationInvalid, NavRequestError, Soknad, valid_fnr, validate_application

if TYPE_CHECKING:
    from .fake_nav import FakeNavState

REFUSAL_REASON = ("Vilkårene for stønad til hjelpemiddel etter folketrygdloven § 10-6 er ikke oppfylt: "
                  "behovet er ikke varig (over 2 år).")


def application_settings(settings: dict) -> dict:
    """The application timeline's part of ``configure``, checked: minutes >= 0 and a list of fnrs."""
    changes: dict[str, Any] = {}
    for name in ("decide_after_minutes", "ship_after_minutes"):
        if name in settings:
            value = settings[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise NavRequestError(400, f"{name} må være et tall, minst 0")
            changes[name] = value
    if "refuse_applications" in settings:
        fnrs = settings["refuse_applications"] or []
        if not isinstance(fnrs, list) or not all(valid_fnr(f) for f in fnrs):
            raise NavRequestError(400, "refuse_applications må være en liste av gyldige fødselsnumre")
        changes["refuse_applications"] = list(fnrs)
    return changes


class ApplicationCases:
    """Mixed into ``FakeNavState``; uses its config, counters, order lines and loans."""

    @operation(changes=True)
    def submit_application(self: "FakeNavState", body: Any, idempotency_key: str | None) -> dict:
        """``POST /soknad``: NAV's rules, then a journaled case."""
        answer = self._replay("soknad", idempotency_key, body)
        if answer is not None:
            return answer
        d = self._unwrap(body, "soknad", ApplicationInvalid)
        validate_application(Soknad.from_wire(body))
        saksnummer = self.next_soknad_saksnummer
        self.next_soknad_saksnummer += 1
        now = self.now_text()
        self.soknader[saksnummer] = {
            "saksnummer": saksnummer, "status": "ENDELIG_JOURNALFØRT", "opprettet": now, "sistOppdatert": now,
            "vedtaksdato": None, "ordrenummer": None, "begrunnelse": None,
            "_soknad": d, "_vedtatt": None, "_linjer": [],
        }
        answer = {"id": d["id"], "saksnummer": saksnummer, "status": "ENDELIG_JOURNALFØRT", "opprettet": now}
        self._remember("soknad", idempotency_key, body, answer)
        return answer

    @operation(changes=False)
    def application_status(self: "FakeNavState", saksnummer: int) -> dict:
        """``GET /soknad/<saksnummer>``."""
        sak = self.soknader.get(saksnummer)
        if sak is None:
            raise NavRequestError(404, f"fant ikke søknad {saksnummer}")
        return public(sak)

    def _advance_applications(self: "FakeNavState", now: datetime) -> bool:
        changed = False
        for sak in self.soknader.values():
            if sak["status"] == "ENDELIG_JOURNALFØRT":
                decide_at = parse_time(sak["opprettet"]) + timedelta(minutes=self.config["decide_after_minutes"])
                if now < decide_at:
                    continue
                self._decide(sak, decide_at)
                changed = True
            if sak["status"] == "VEDTAKSRESULTAT_INNVILGET":
                ship_at = parse_time(sak["_vedtatt"]) + timedelta(minutes=self.config["ship_after_minutes"])
                if now >= ship_at:
                    self._ship(sak, ship_at)
                    changed = True
        return changed

    def _decide(self: "FakeNavState", sak: dict, at: datetime) -> None:
        at_text = at.strftime(TIME_FORMAT)
        sak["vedtaksdato"], sak["_vedtatt"], sak["sistOppdatert"] = at.date().isoformat(), at_text, at_text
        application = sak["_soknad"]
        fnr = application["fnrBruker"]
        if fnr in self.config["refuse_applications"]:
            sak["status"], sak["begrunnelse"] = "VEDTAKSRESULTAT_AVSLÅTT", REFUSAL_REASON
            return
        sak["status"], sak["ordrenummer"] = "VEDTAKSRESULTAT_INNVILGET", self.take_order_number()
        line_number = 0
        for wanted in application["hjelpemidler"]:
            hmsnr, description, category, category_text = product_for(
                wanted.get("hmsnr"), wanted.get("isoKategori"), wanted["beskrivelse"])
            for _unit in range(wanted["antall"]):
                line_number += 1
                record, _loan = self._deliver(fnr, hmsnr, description, category, category_text, None,
                                              sak["ordrenummer"], line_number, "BOOKED",
                                              f"HMS-{sak['saksnummer']}", at_text)
                sak["_linjer"].append([record["OrdreNumber"], record["LineNumber"], record["ShipmentNumber"]])

    def _ship(self: "FakeNavState", sak: dict, at: datetime) -> None:
        at_text = at.strftime(TIME_FORMAT)
        sak["status"], sak["sistOppdatert"] = "UTSENDING_STARTET", at_text
        for ordre, line_number, shipment in sak["_linjer"]:
            self.upsert_line({"OrdreNumber": ordre, "LineNumber": line_number, "ShipmentNumber": shipment,
                              "Status": "SHIPPED", "LastUpdateDate": at_text}, at_text)
