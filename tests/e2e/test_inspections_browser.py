"""Scenario 5 in a real browser, from the due list to the recall board: the due list of next month shows
the ceiling lifts due, grouped by area, with the overdue one on top; the overdue lift is passed over for
a need; the technician records its inspection on the phone, which moves its due date a year on; the
inspection report prints; the lift at a citizen's home gets an inspection visit planned. Then a sling
model is recalled: the board shows the sling on the shelf quarantined and the one at a home with an
urgent visit."""
from __future__ import annotations

import subprocess
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from hjelpemiddel.core.text import local_today
from hjelpemiddel.lending import services as lending
from hjelpemiddel.maintenance import services as maintenance
from hjelpemiddel.maintenance.models import InspectionDue
from hjelpemiddel.stock import services as stock

from .conftest import login_as
from .depot_helpers import DESKTOP, PHONE, Arranger, assert_plain_bokmal, download, flash, submit

pytestmark = pytest.mark.browser
DAY = date.today() + timedelta(days=27)


def due_on(arranger, barcode: str, day: date) -> None:
    arranger.session.execute(update(InspectionDue).values(due_on=day)
                             .where(InspectionDue.device_id == stock.get_device(arranger.session, barcode).id))


def test_the_due_list_an_overdue_lift_its_inspection_on_the_phone_the_report_and_a_visit_at_home(
        new_page, live_server, tmp_path):
    today = local_today()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    with Arranger(live_server) as arranger:
        arranger.sweep_open_stops()
        lift = arranger.product("Takløfter Guldmann GH3", iso_class="123612")
        name = arranger.product_name(lift)
        maintenance.save_plan(arranger.session, arranger.ids["lager"], {
            "product_id": lift, "name": "Takløftere", "interval_months": 12, "after_each_loan": True,
            "checklist": "lift"})
        at_home = arranger.unit_on_loan(arranger.citizen("Aud Vik", "Dalabrekka 4", postcode="6511"), lift, DAY)
        overdue = arranger.unit(lift, "A-01-1")  # the oldest on the shelf
        due = [arranger.unit(lift, "A-01-1") for _ in range(2)]
        for barcode, day in ((due[0], next_month + timedelta(days=2)), (due[1], next_month + timedelta(days=20)),
                             (at_home, today + timedelta(days=5)), (overdue, today - timedelta(days=3))):
            due_on(arranger, barcode, day)
        sling = arranger.product("Løftesele Scenario", iso_class="123621")
        sling_name = arranger.product_name(sling)
        sling_home = arranger.unit_on_loan(arranger.citizen("Solveig Eide", "Kaibakken 9"), sling, DAY)
        stock.get_device(arranger.session, sling_home).serial_number = "210117"
        sling_shelf = stock.register_device(arranger.session, arranger.ids["lager"], sling, serial_number="210002",
                                            location_code="A-01-2").barcode
        need = arranger.approved_need(arranger.citizen("Per Moe", "Fosnagata 3"), lift, DAY)
        # The oldest free lift is overdue: the need gets the next one.
        assert [u.barcode for u in lending.need_units(arranger.session, [need])[need]] == [due[0]]

    page = new_page(**DESKTOP)
    login_as(page, live_server, "lager")
    page.goto(f"/lager/kontroller?q={name}&month={next_month:%Y-%m}")
    expect(page.get_by_test_id("due-in-month")).to_have_text("2")
    rows = page.get_by_test_id("due-list").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text(overdue)
    expect(rows.first).to_contain_text("Forfalt")
    expect(rows.nth(1)).to_contain_text(due[0])
    assert_plain_bokmal(page)
    soon = f"/lager/kontroller?q={name}&month={today + timedelta(days=5):%Y-%m}"
    page.goto(soon)
    expect(page.get_by_test_id(f"due-{at_home}")).to_contain_text("Hos Aud V., 6511")
    expect(page.get_by_test_id(f"due-{at_home}")).to_contain_text("Forfaller innen 30 dager")
    expect(page.get_by_test_id("due-by-area")).to_contain_text("6511")

    assert live_server.device(overdue).state == "available"

    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor", next_path=f"/kontroll/{overdue}")
    expect(phone.get_by_test_id("periodic-due")).to_contain_text((today - timedelta(days=3)).strftime("%d.%m.%Y"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Alle punkter OK").tap()
    assert submit(phone, phone.get_by_role("button", name="Lagre periodisk kontroll")) == 200
    next_due = today.replace(year=today.year + 1)
    expect(phone.get_by_test_id("periodic-saved")).to_contain_text(next_due.strftime("%d.%m.%Y"))
    expect(phone.get_by_test_id("inspection-history")).to_contain_text("Periodisk kontroll")
    pdf = download(phone, "Kontrollrapport (PDF)")
    (tmp_path / "report.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"Kontrollrapport {overdue}" in text and "Bestått" in text and next_due.strftime("%d.%m.%Y") in text

    page.goto(f"/lager/kontroller?q={name}&month={next_month:%Y-%m}")
    expect(page.get_by_test_id(f"due-{overdue}")).to_have_count(0)
    assert submit(page, page.get_by_test_id("plan-visits")) in (200, 302)
    expect(flash(page)).to_contain_text("1 kontrollbesøk er lagt til")
    page.goto(soon)
    expect(page.get_by_test_id(f"due-{at_home}")).to_contain_text("Besøk planlagt")

    page.goto("/lager/tilbakekalling")
    page.get_by_test_id("new-recall").click()
    form = page.get_by_test_id("recall-form")
    form.get_by_label("Tittel").fill("Sømmen kan revne")
    form.get_by_test_id("product-0").fill(sling_name)
    form.get_by_label("Serienummer fra (bare sifre)").fill("210000")
    form.get_by_label("Serienummer til").fill("210450")
    form.get_by_label("Tiltak").select_option("quarantine")
    assert submit(page, form.get_by_role("button", name="Registrer og finn enhetene")) == 302
    expect(page.get_by_test_id("board-counts")).to_contain_text("0 behandlet, 2 åpne")
    expect(page.get_by_test_id(f"unit-{sling_shelf}")).to_contain_text("I karantene")
    expect(page.get_by_test_id(f"unit-{sling_home}")).to_contain_text("Besøk planlagt (haster)")
    assert live_server.device(sling_shelf).state == "quarantined"
    assert_plain_bokmal(page)


def test_the_driver_inspects_a_lift_at_home_on_the_phone_and_only_then_marks_the_visit(new_page, live_server):
    from hjelpemiddel.logistics import services as logistics
    from hjelpemiddel.upkeep.services import plan_inspection_visits

    run_day = date.today() + timedelta(days=31)
    with Arranger(live_server) as arranger:
        arranger.sweep_open_stops()
        lift = arranger.product("Personløfter Hjemme", iso_class="123603")
        maintenance.save_plan(arranger.session, arranger.ids["lager"], {
            "product_id": lift, "name": "Personløftere", "interval_months": 6, "checklist": "lift"})
        at_home = arranger.unit_on_loan(arranger.citizen("Liv Gjerde", "Vågeveien 2"), lift, run_day)
        due_on(arranger, at_home, local_today() - timedelta(days=1))
        assert plan_inspection_visits(arranger.session, arranger.ids["lager"]) >= 1
        run_id = arranger.planned_run(run_day)
        logistics.start_run(arranger.session, arranger.ids["sjafor"], run_id, odometer_start=1000)

    phone = new_page(**PHONE)
    login_as(phone, live_server, "sjafor", next_path=f"/sjafor/runde/{run_id}")
    stop = phone.locator("section.stop", has=phone.locator(f"[data-unit='{at_home}']"))
    expect(stop.locator(f"[data-unit='{at_home}']")).to_contain_text("Periodisk kontroll")
    assert submit(phone, stop.get_by_role("button", name="Kontrollert")) >= 400
    expect(flash(phone)).to_contain_text("Registrer den periodiske kontrollen")
    assert_plain_bokmal(phone)

    phone.goto(f"/sjafor/runde/{run_id}")
    with phone.expect_navigation():
        stop.get_by_role("link", name="Kontroller (sjekkliste)").tap()
    phone.get_by_role("button", name="Alle punkter OK").tap()
    assert submit(phone, phone.get_by_role("button", name="Lagre periodisk kontroll")) == 200
    expect(phone.get_by_test_id("periodic-saved")).to_contain_text("Periodisk kontroll bestått")

    phone.goto(f"/sjafor/runde/{run_id}")
    assert submit(phone, stop.get_by_role("button", name="Kontrollert")) in (200, 302)
    expect(stop.locator(f"[data-unit='{at_home}']")).to_contain_text("Kontrollert")
