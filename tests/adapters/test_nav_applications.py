"""Applications (søknad) for long-term loan, through either port: the HTTP client against the fake
NAV server, and InMemoryNav against the same fake's state."""
from __future__ import annotations

import uuid

import pytest
import requests

from integrations.nav.fake_data import GENERIC_HMSNR, FakeClock
from integrations.nav.fake_nav import FakeNavState
from integrations.nav.fake_server import DEFAULT_TOKEN, create_fake_nav
from integrations.nav.port import (
    ApplicationInvalid, NavRequestError, OrderLine, Soknad, SoknadHjelpemiddel, SoknadSak, SoknadSvar,
    validate_application,
)

from .support import serving, some_fnr

BED = SoknadHjelpemiddel(beskrivelse="Seng Opus 90EW", hmsnr="291003", iso_kategori="18121501")


def application(fnr=None, *lines, **more) -> Soknad:
    return Soknad(id=str(uuid.uuid4()), fnr_bruker=fnr or some_fnr(), hjelpemidler=tuple(lines) or (BED,),
                  kommunenummer="1505", merknad="Utskrives fra sykehus 12. mars", **more)


def all_lines(port, cursor=None):
    lines = []
    while True:
        page = port.fetch_order_lines(cursor, 100)
        lines.extend(page.lines)
        cursor = page.next_cursor
        if not page.has_more:
            return lines, cursor


def test_an_application_is_journaled_at_once_and_its_case_can_be_read(nav):
    sent = application()
    svar = nav.port.submit_application(sent, "s-1")
    assert isinstance(svar, SoknadSvar)
    assert (svar.id, svar.status, svar.opprettet) == (sent.id, "ENDELIG_JOURNALFØRT", "2024-03-04 08:00:00")
    sak = nav.port.application_status(svar.saksnummer)
    assert sak == SoknadSak(saksnummer=svar.saksnummer, status="ENDELIG_JOURNALFØRT", opprettet=svar.opprettet,
                            sist_oppdatert=svar.opprettet)
    assert not sak.granted and not sak.refused
    assert nav.control.stats()["soknader"] == 1
    with pytest.raises(NavRequestError) as exc:
        nav.port.application_status(svar.saksnummer + 1)
    assert exc.value.http_status == 404


def test_a_replay_with_the_same_key_gets_the_same_answer_and_another_body_is_refused(nav):
    sent = application()
    first = nav.port.submit_application(sent, "same")
    nav.control.advance(minutes=1)
    assert nav.port.submit_application(sent, "same") == first
    assert nav.control.stats()["soknader"] == 1
    with pytest.raises(NavRequestError) as exc:
        nav.port.submit_application(application(), "same")
    assert exc.value.http_status == 422
    assert nav.port.submit_application(application(), "other").saksnummer == first.saksnummer + 1


def test_a_granted_application_brings_an_order_line_and_a_loan_then_ships_without_anyone_asking(nav):
    fnr = some_fnr(21)
    _, cursor = all_lines(nav.port)
    saksnummer = nav.port.submit_application(application(fnr), "g-1").saksnummer
    nav.control.advance(minutes=1)
    assert all_lines(nav.port, cursor)[0] == []
    assert nav.port.application_status(saksnummer).status == "ENDELIG_JOURNALFØRT"

    nav.control.advance(minutes=1)  # decided at 2 minutes: the order line is there for the next sync
    lines, cursor = all_lines(nav.port, cursor)
    sak = nav.port.application_status(saksnummer)
    assert (sak.status, sak.vedtaksdato, sak.sist_oppdatert) == (
        "VEDTAKSRESULTAT_INNVILGET", "2024-03-04", "2024-03-04 08:02:00")
    assert sak.granted and sak.ordrenummer and sak.begrunnelse is None
    [line] = lines
    assert (line.user_item_type, line.ordered_item, line.quantity, line.account_number, line.status,
            line.referanse_nummer, line.ordre_number, line.category_num) == (
        "Individstyrt hjelpemiddel", "291003", 1, fnr, "BOOKED", f"HMS-{saksnummer}", sak.ordrenummer, "18121501")
    assert line.to_municipal_address and len(line.serie_nummer_liste) == 1
    [loan] = nav.port.citizen_loans(fnr)
    assert (loan.artikkel_nr, loan.serie_nr, loan.ordrenummer, loan.utlans_type, loan.artikkel_status) == (
        "291003", line.serie_nummer_liste[0], sak.ordrenummer, "P", "I utlån")

    nav.control.advance(minutes=59)
    assert all_lines(nav.port, cursor)[0] == []
    nav.control.advance(minutes=1)  # shipped 60 minutes after the decision: the line comes again
    [shipped], _ = all_lines(nav.port, cursor)
    assert shipped.key == line.key and shipped.status == "SHIPPED"
    assert shipped.serie_nummer_liste == line.serie_nummer_liste
    sak = nav.port.application_status(saksnummer)
    assert (sak.status, sak.sist_oppdatert, sak.vedtaksdato) == ("UTSENDING_STARTET", "2024-03-04 09:02:00", "2024-03-04")
    nav.control.advance(hours=48)
    assert nav.port.application_status(saksnummer) == sak  # nothing after shipping


def test_a_refused_application_says_why_and_brings_nothing(nav):
    fnr = some_fnr(22)
    nav.control.configure(refuse_applications=[fnr])
    _, cursor = all_lines(nav.port)
    saksnummer = nav.port.submit_application(application(fnr), "r-1").saksnummer
    nav.control.advance(hours=3)
    sak = nav.port.application_status(saksnummer)
    assert sak.status == "VEDTAKSRESULTAT_AVSLÅTT" and sak.refused and not sak.granted
    assert sak.begrunnelse and "folketrygdloven" in sak.begrunnelse
    assert (sak.ordrenummer, sak.vedtaksdato) == (None, "2024-03-04")
    assert all_lines(nav.port, cursor)[0] == [] and nav.port.citizen_loans(fnr) == []


def test_an_iso_class_gets_a_product_of_that_class_and_each_unit_its_own_line(nav):
    fnr = some_fnr(23)
    nav.control.configure(decide_after_minutes=0, ship_after_minutes=30)
    _, cursor = all_lines(nav.port)
    saksnummer = nav.port.submit_application(application(
        fnr, SoknadHjelpemiddel("Manuell rullestol", antall=2, iso_kategori="122203"),
        SoknadHjelpemiddel("Løftesele, stor", iso_kategori="12361201")), "i-1").saksnummer
    lines, _ = all_lines(nav.port, cursor)  # decided at once
    assert [(l.line_number, l.ordered_item, l.description, l.category_num) for l in lines] == [
        (1, "236958", "Panthera U3 Light rullestol", "12220301"),
        (2, "236958", "Panthera U3 Light rullestol", "12220301"),
        (3, GENERIC_HMSNR, "Løftesele, stor", "12361201")]
    assert len({l.serie_nummer_liste for l in lines}) == 3
    assert {l.ordre_number for l in lines} == {nav.port.application_status(saksnummer).ordrenummer}
    assert len(nav.port.citizen_loans(fnr)) == 3


@pytest.mark.parametrize("change, field", [
    ({"id": "not-a-uuid"}, "id"),
    ({"fnr_bruker": "12345678901"}, "fnrBruker"),
    ({"kommunenummer": "15050"}, "kommunenummer"),
    ({"hjelpemidler": ()}, "hjelpemidler"),
    ({"hjelpemidler": (SoknadHjelpemiddel("Seng"),)}, "hjelpemidler[0]"),
    ({"hjelpemidler": (SoknadHjelpemiddel("Seng", hmsnr="29100"),)}, "hjelpemidler[0].hmsnr"),
    ({"hjelpemidler": (SoknadHjelpemiddel("Seng", iso_kategori="1812150"),)}, "hjelpemidler[0].isoKategori"),
    ({"hjelpemidler": (BED, SoknadHjelpemiddel("", hmsnr="291003"))}, "hjelpemidler[1].beskrivelse"),
    ({"hjelpemidler": (SoknadHjelpemiddel("Seng", antall=0, hmsnr="291003"),)}, "hjelpemidler[0].antall"),
    ({"merknad": 12}, "merknad"),
])
def test_an_application_breaking_navs_rules_is_refused_before_sending_naming_the_field(nav, change, field):
    bad = Soknad(**{**application().__dict__, **change})
    with pytest.raises(ApplicationInvalid) as exc:
        nav.port.submit_application(bad, "v-1")
    assert exc.value.field == field
    assert nav.control.stats()["soknader"] == 0


def test_the_fake_refuses_a_bad_application_with_navs_valideringsfeil_from_the_same_rules():
    bad = application(some_fnr(), SoknadHjelpemiddel("Seng", antall=0, hmsnr="291003"))
    with pytest.raises(ApplicationInvalid) as local:
        validate_application(bad)
    headers = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Idempotency-Key": "w-1"}
    with serving(create_fake_nav(clock=FakeClock(), seed_data=False)) as base:
        answer = requests.post(f"{base}/soknad", json=bad.to_wire(), headers=headers, timeout=5)
        assert answer.status_code == 400
        assert answer.json() == {"valideringsfeil": [{"felt": local.value.field, "melding": local.value.message}]}
        missing = requests.post(f"{base}/soknad", json={"noe": 1}, headers={**headers, "Idempotency-Key": "w-2"},
                                timeout=5)
        assert missing.json()["valideringsfeil"][0]["felt"] == "soknad"
        unkeyed = requests.post(f"{base}/soknad", json=application().to_wire(), headers=headers | {"Idempotency-Key": ""},
                                timeout=5)
        assert (unkeyed.status_code, unkeyed.json()) == (400, {"error": "Idempotency-Key mangler"})


def test_the_timeline_settings_are_checked():
    state = FakeNavState.open(FakeClock(), seed_data=False)
    for bad in ({"decide_after_minutes": -1}, {"ship_after_minutes": "snart"}, {"refuse_applications": ["123"]}):
        with pytest.raises(NavRequestError):
            state.configure(bad)
    assert state.configure({"decide_after_minutes": 0.5, "refuse_applications": None})["decide_after_minutes"] == 0.5


def test_the_wire_shape_round_trips():
    sent = application(some_fnr(), SoknadHjelpemiddel("Rullestol", iso_kategori="122203"))
    wire = sent.to_wire()
    assert wire["soknad"]["hjelpemidler"] == [{"hmsnr": None, "isoKategori": "122203", "beskrivelse": "Rullestol",
                                               "antall": 1}]
    assert set(wire["soknad"]) == {"id", "fnrBruker", "kommunenummer", "hjelpemidler", "merknad"}
    assert Soknad.from_wire(wire) == sent
    assert sent.fnr_bruker not in repr(sent)  # a citizen's fnr stays out of logs and tracebacks
    line = OrderLine.from_wire({"OrdreNumber": "1", "LineNumber": 1, "OrderedItem": "291003", "Quantity": 1,
                                "User_ItemType": "Individstyrt hjelpemiddel", "ReferanseNummer": "HMS-100000"})
    assert line.spare_part_saksnummer is None
