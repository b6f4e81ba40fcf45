"""Incidents (uhell) at the service layer: the unit is out of use at once, its history and scan say
«Uhell», a serious one is flagged for the authorities with its deadline until marked sent."""
from datetime import date, datetime, timezone

import pytest

from hjelpemiddel import queries
from hjelpemiddel.core.errors import Conflict, NotFound, ValidationFailed
from hjelpemiddel.incidents import services
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.scan_card import scan_card
from hjelpemiddel.stock import services as stock

from .desk import state_of


def _at(monkeypatch, moment: datetime):
    monkeypatch.setattr("hjelpemiddel.incidents.services.reporting.utcnow", lambda: moment)


def test_a_reported_unit_is_quarantined_at_once_and_its_history_reads_uhell(session, actor, desk):
    [unit] = desk.units(1)

    incident = services.report_incident(session, actor.id, unit.barcode, "Lageret, sone A",
                                        "Bremsen slapp, rullatoren trillet", "none")

    assert state_of(session, unit.barcode) == ("quarantined", "A-01-2")
    [entry], _total = maintenance.list_quarantined(session)
    assert entry.id == incident.quarantine_id and entry.reason == "incident"
    history = stock.device_history(session, unit.id)
    assert [(e.kind, e.note) for e in history[-2:]] == [
        ("incident", "Uhell: Ingen personskade. Bremsen slapp, rullatoren trillet"),
        ("quarantined", f"Uhell: Ingen personskade (uhell nr. {incident.id})")]
    assert incident.authority_deadline is None and not services.is_flagged(incident)
    assert (incident.product_name, incident.barcode) == (desk.product.name, unit.barcode)


def test_the_scan_of_the_units_label_shows_the_incident(session, actor, desk):
    [unit] = desk.units(1)
    services.report_incident(session, actor.id, unit.barcode, "Hjemme", "Veltet", "minor")
    session.flush()

    card = scan_card(session.connection(), unit.barcode)

    assert card["device"]["state"] == "quarantined"
    assert [(e["kind_label"], e["note"]) for e in card["history"] if e["kind"] == "incident"] == [
        ("Uhell", "Uhell: Lettere skade. Veltet")]


def test_a_reserved_unit_lets_go_of_its_need_which_gets_another(session, actor, desk, make_citizen):
    desk.units(2)
    need = desk.need(desk.citizen("Astrid Olsen"))
    [reserved] = desk.reserved(need)

    services.report_incident(session, actor.id, reserved, "Lageret", "Løftestroppen røk under test", "none")

    [other] = desk.reserved(need)
    assert other != reserved and state_of(session, reserved)[0] == "quarantined"


def test_a_nav_units_hmsnr_and_serial_are_copied_and_stay_when_the_unit_changes(session, actor, desk):
    nav_unit = stock.register_device(session, actor.id, desk.product.id, owner="nav", nav_hms_nr="654321",
                                     nav_serial="NAV-77", location_code="A-01-2")

    incident = services.report_incident(session, actor.id, nav_unit.barcode, "Hos bruker", "Sete løsnet", "serious")
    nav_unit.nav_serial = "NAV-78"
    session.flush()

    assert (incident.owner, incident.nav_hms_nr, incident.nav_serial) == ("nav", "654321", "NAV-77")
    exported = services.incident_export(incident)
    assert (exported["product_number"], exported["serial_number"]) == ("654321", "NAV-77")
    assert exported["device_name"] == desk.product.name and exported["cause"] == "Sete løsnet"


def test_a_municipal_units_export_has_the_products_hms_nr_and_our_serial(session, actor, desk):
    unit = stock.register_device(session, actor.id, desk.product.id, serial_number="S-42", location_code="A-01-2")
    incident = services.report_incident(session, actor.id, unit.barcode, "Korridor", "Hjul falt av", "minor")
    assert incident.nav_hms_nr is None and incident.nav_serial is None
    exported = services.incident_export(incident)
    assert (exported["product_number"], exported["serial_number"]) == (desk.product.hms_nr, "S-42")
    csv = services.incident_csv(incident).decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Navn på hjelpemiddel;Produktnummer (HMS-nr);Serienummer;Sted")
    assert "Korridor;Hjul falt av;Lettere skade" in csv[1]


def test_an_already_quarantined_unit_is_still_recorded_with_its_quarantine(session, actor, desk):
    [unit] = desk.units(1)
    quarantine = maintenance.quarantine_device(session, actor.id, unit.barcode, "recall", "Feltsikkerhetsmelding")

    incident = services.report_incident(session, actor.id, unit.barcode, "Lageret", "Klemte en finger", "minor")

    assert incident.quarantine_id == quarantine.id
    assert stock.device_history(session, unit.id)[-1].kind == "incident"


@pytest.mark.parametrize("final", ["scrapped", "returned_to_nav"])
def test_a_unit_in_a_final_state_is_refused(session, actor, desk, final):
    [unit] = desk.units(1)
    unit.state = final
    unit.location_id = None
    session.flush()
    with pytest.raises(Conflict) as caught:
        services.report_incident(session, actor.id, unit.barcode, "Lageret", "Noe", "none")
    assert caught.value.status == 409 and "kan ikke meldes" in caught.value.message


@pytest.mark.parametrize("field,values", [
    ("injury", dict(injury="litt")), ("place", dict(place="  ")), ("description", dict(description="")),
    ("description", dict(description="x" * 4001)), ("place", dict(place="a\x00b")),
])
def test_bad_input_names_the_field(session, actor, desk, field, values):
    [unit] = desk.units(1)
    arguments = {"place": "Lageret", "description": "Veltet", "injury": "none", **values}
    with pytest.raises(ValidationFailed) as caught:
        services.report_incident(session, actor.id, unit.barcode, **arguments)
    assert field in caught.value.details
    assert state_of(session, unit.barcode)[0] == "available"


def test_an_unknown_unit_is_not_found(session, actor, desk):
    with pytest.raises(NotFound):
        services.report_incident(session, actor.id, "HJM99999997", "Lageret", "Veltet", "none")


def test_a_serious_injury_on_a_friday_is_due_on_monday(session, actor, desk, monkeypatch):
    [unit] = desk.units(1)
    _at(monkeypatch, datetime(2026, 12, 4, 14, 0, tzinfo=timezone.utc))  # Friday afternoon in Oslo
    incident = services.report_incident(session, actor.id, unit.barcode, "Hjemme", "Fall fra seng", "serious")
    assert incident.authority_deadline == date(2026, 12, 7)


def test_a_death_reported_late_on_skjaertorsdag_is_due_after_easter(session, actor, desk, monkeypatch):
    [unit] = desk.units(1)
    # 23:30 UTC on 1 April is 01:30 on skjærtorsdag in Oslo: the local day counts.
    _at(monkeypatch, datetime(2026, 4, 1, 23, 30, tzinfo=timezone.utc))
    incident = services.report_incident(session, actor.id, unit.barcode, "Sykehjem", "Klemt i seng", "death")
    assert incident.authority_deadline == date(2026, 4, 7)


def test_the_start_page_flag_appears_for_a_serious_incident_and_goes_when_marked_sent(session, actor, desk):
    minor, serious = desk.units(2)
    services.report_incident(session, actor.id, minor.barcode, "Lageret", "Skrape", "minor")
    incident = services.report_incident(session, actor.id, serious.barcode, "Hjemme", "Brudd i hofte", "serious")
    today = incident.authority_deadline

    [flag] = queries.todays_work(session, today).incidents_to_send
    assert (flag.id, flag.barcode, flag.overdue, flag.injury_label) == (incident.id, serious.barcode, False,
                                                                        "Alvorlig skade")
    assert queries.todays_work(session, date.fromordinal(today.toordinal() + 1)).incidents_to_send[0].overdue

    services.mark_incident_sent(session, actor.id, incident.id, "HDIR-2026-118")

    assert queries.todays_work(session, today).incidents_to_send == []
    assert incident.authority_reference == "HDIR-2026-118" and incident.sent_by_id == actor.id
    with pytest.raises(Conflict):
        services.mark_incident_sent(session, actor.id, incident.id, "")


def test_the_list_searches_filters_and_pages(session, actor, desk):
    units = desk.units(3)
    for unit, place, injury in zip(units, ("Storgata 1", "Lageret", "Bilen"), ("none", "serious", "death")):
        services.report_incident(session, actor.id, unit.barcode, place, "Noe skjedde", injury)

    assert [i.place for i in services.list_incidents(session)] == ["Bilen", "Lageret", "Storgata 1"]
    assert [i.place for i in services.list_incidents(session, q="storgata")] == ["Storgata 1"]
    assert [i.barcode for i in services.list_incidents(session, q=units[1].barcode)] == [units[1].barcode]
    assert [i.injury for i in services.list_incidents(session, injury="death")] == ["death"]
    assert len(services.list_incidents(session, q=desk.product.name[:6])) == 3
    page = services.list_incidents(session, not_sent=True, size=1)
    assert page.total == 2 and page.has_next and page.items[0].place == "Bilen"
    services.mark_incident_sent(session, actor.id, page.items[0].id)
    assert [i.place for i in services.list_incidents(session, not_sent=True)] == ["Lageret"]
