"""The label page in a real browser: «Hopp over brukte etiketter» only where a sheet has labels to skip,
the PDF opening in a new tab only when it was made, and refusals shown on the page itself."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import login_as

pytestmark = pytest.mark.browser


def open_labels(page, live_server):
    login_as(page, live_server, "lager", next_path="/etiketter")
    expect(page.get_by_role("heading", name="Skriv ut etiketter")).to_be_visible()


def test_on_the_roll_layout_there_is_nothing_to_skip_and_the_pdf_opens_in_a_new_tab(page, live_server):
    barcode = live_server.make_device()
    open_labels(page, live_server)
    skip = page.get_by_label("Hopp over brukte etiketter på arket")
    expect(skip).to_be_visible()
    expect(page.locator("#start-position-hint")).to_have_text(
        "0–23: så mange etiketter øverst på arket er brukt fra før.")
    page.get_by_label("Oppsett").select_option("roll-57x32")
    expect(skip).to_be_hidden()
    page.get_by_label("Strekkoder eller lokasjonskoder").fill(barcode)

    with page.expect_popup() as opened:
        page.get_by_role("button", name="Lag etiketter").click()
    pdf = opened.value
    assert pdf.url.startswith("blob:")
    assert page.url.endswith("/etiketter"), "the person stays on the label page"
    expect(page.get_by_test_id("label-result")).to_contain_text("Etikettene er klare")
    expect(page.get_by_test_id("label-link")).to_have_text("Åpne etikettene (PDF)")
    expect(page.get_by_test_id("label-errors")).to_be_empty()

    page.get_by_label("Oppsett").select_option("a4-3x8")
    expect(skip).to_be_visible()
    expect(skip).to_be_enabled()


def test_a_refusal_is_shown_above_the_form_and_no_tab_opens(page, live_server):
    open_labels(page, live_server)
    popups = []
    page.on("popup", lambda popup: popups.append(popup))
    page.get_by_label("Strekkoder eller lokasjonskoder").fill("HJM99999997")
    page.get_by_label("Hopp over brukte etiketter på arket").fill("2")

    page.get_by_role("button", name="Lag etiketter").click()

    errors = page.get_by_test_id("label-errors")
    expect(errors.get_by_role("alert")).to_contain_text("HJM99999997")
    expect(page.get_by_test_id("label-result")).to_be_hidden()
    assert page.url.endswith("/etiketter") and popups == []
    expect(page.get_by_label("Strekkoder eller lokasjonskoder")).to_have_value("HJM99999997")
