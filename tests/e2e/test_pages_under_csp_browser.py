"""Every role's pages in real Chromium under the Content-Security-Policy the app sends: no violation,
no script error, and the pages whose JavaScript matters (the scan station, picking) still work.

Violations are caught twice: the page's own ``securitypolicyviolation`` events (reported to the test
from every document and frame), and Chromium's console lines about the policy (a frame refused by
``frame-ancestors`` only shows there).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import login_as
from .depot_helpers import DESKTOP, PHONE, Arranger, pick_scan
from .test_scan_station_browser import scan_and_wait

pytestmark = pytest.mark.browser

# A day no other browser test plans.
CSP_DAY = date.today() + timedelta(days=11)

REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation([event.violatedDirective, event.blockedURI || "inline", event.sourceFile || location.href,
                             event.lineNumber].join(" "));
});
"""


@dataclass
class Watch:
    """What went wrong in the browser while the test ran."""

    violations: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return self.violations + self.console + self.errors


def watched(new_page, **context_options):
    page = new_page(**context_options)
    watch = Watch()
    page.context.expose_function("reportCspViolation", lambda report: watch.violations.append(report))
    page.context.add_init_script(REPORT_VIOLATIONS)
    page.on("console", lambda message: watch.console.append(f"{page.url}: {message.text}")
            if re.search(r"Content Security Policy|Refused to", message.text) else None)
    page.on("pageerror", lambda error: watch.errors.append(f"{page.url}: {error}"))
    return page, watch


def visit(page, path: str, heading: str | re.Pattern, status: int = 200) -> None:
    response = page.goto(path)
    assert response.status == status, (path, response.status)
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


@pytest.fixture(scope="module")
def pick_run(live_server):
    """A run on CSP_DAY for the e2e driver with one reserved unit to pick: (run id, barcode)."""
    with Arranger(live_server) as depot:
        depot.sweep_open_stops()
        product = depot.product("Rollator CSP")
        citizen = depot.citizen("Solveig Berg", "Kirkegata 4")
        barcode = depot.reserved_unit(citizen, product, CSP_DAY)
        run_id = depot.planned_run(CSP_DAY)
    return run_id, barcode


def test_the_policy_is_enforced_and_the_watch_sees_an_injected_inline_handler(new_page, live_server):
    page, watch = watched(new_page)
    visit(page, "/login", "Logg inn")
    page.evaluate("""document.body.insertAdjacentHTML("beforeend",
        '<img id="bait" src="/static/app.css" onerror="window.injected = true">')""")
    page.wait_for_function("() => document.getElementById('bait').complete")  # a function, eval'ed once (the CSP refuses repeated evals)
    page.evaluate("""document.body.insertAdjacentHTML("beforeend", '<p style="color:red">x</p>')""")
    wanted = ("script-src-attr", "style-src-attr")
    for _ in range(40):  # the reports arrive from the page asynchronously
        if all(any(v.startswith(d) for v in watch.violations) for d in wanted):
            break
        page.wait_for_timeout(50)
    assert all(any(v.startswith(d) for v in watch.violations) for d in wanted), watch.violations
    assert page.evaluate("window.injected") is None


@pytest.mark.parametrize("role,pages", [
    (None, [("/login", "Logg inn")]),
    ("lager", [("/start", "I dag"), ("/skann", "Skannestasjon"), ("/hjelpemidler", "Hjelpemidler"), ("/hjelpemidler/ny", "Registrer"),
               ("/lokasjoner", "Lokasjoner"), ("/etiketter", "Skriv ut etiketter"), ("/katalog", "Produktkatalog"),
               ("/lager/utlan", "Utlån og retur"), ("/lager/runder", "Kjørerunder"),
               ("/lager/nav", "Hjelpemidler fra NAV"), ("/lager/karantene", "Karantene"),
               ("/lager/varetelling", "Varetelling"), ("/lager/varetelling/plan", "Plan for syklisk telling"),
               ("/lager/prognose", "Prognose for ledige hjelpemidler"),
               ("/lager/reservedeler", "Reservedeler"), ("/lager/feilstatistikk", "Feilstatistikk"),
               ("/lager/tilbakekalling", "Tilbakekalling"), ("/lager/tilbakekalling/ny", "Ny tilbakekalling"),
               ("/rapporter", "Rapporter (styringsdata)"), ("/rapporter/ventetid", "Ventetid"),
               ("/rapporter/ventetid/median_all", "Ventetid, median")]),
    ("sjafor", [("/sjafor", "Mine kjørerunder"), ("/skann", "Skannestasjon"), ("/hjelpemidler", "Hjelpemidler")]),
    ("terapeut", [("/terapeut", "Mine innbyggere"), ("/terapeut/innbygger/ny", "Ny innbygger"), ("/katalog", "Produktkatalog"), ("/hjelpemidler", "Hjelpemidler")]),
    ("admin", [("/start", "I dag"), ("/hjelpemidler", "Hjelpemidler"), ("/lokasjoner", "Lokasjoner"), ("/katalog", "Produktkatalog"),
               ("/lager/varetelling", "Varetelling"), ("/admin/fnr-tilgang", "Oppfølging av tilgangsloggen"),
               ("/admin/rapportmal", "Mål for levering"), ("/admin/brukere?q=e2e-terapeut", "Brukere")]),
])
def test_each_roles_main_pages_load_without_a_csp_violation_or_script_error(new_page, live_server, role, pages):
    page, watch = watched(new_page, **DESKTOP)
    if role:
        login_as(page, live_server, role)
    for path, heading in pages:
        visit(page, path, heading)
    if role == "admin":  # and one person's page, reached from the list last visited
        with page.expect_navigation():
            page.get_by_test_id("user-e2e-terapeut").get_by_role("link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("E2E Terapeut")
    assert watch.problems() == []


def test_a_unit_page_with_its_barcode_and_label_pdf_and_the_error_page_keep_to_the_policy(new_page, live_server):
    barcode = live_server.make_device()
    page, watch = watched(new_page, **DESKTOP)
    login_as(page, live_server, "lager")
    with page.expect_response(lambda r: r.url.endswith(f"/{barcode}/label.pdf")) as label:
        visit(page, f"/hjelpemidler/{barcode}?etikett=1", barcode)
    assert label.value.status == 200
    assert label.value.headers["x-frame-options"] == "SAMEORIGIN"
    expect(page.locator("iframe#label-frame")).to_be_visible()
    # The barcode's white quiet zone and black bars are SVG attributes now, not blocked inline styles.
    svg = page.get_by_test_id("barcode-image").locator("svg")
    assert svg.locator("rect").first.evaluate("r => getComputedStyle(r).fill") == "rgb(255, 255, 255)"
    assert svg.locator("rect").nth(1).evaluate("r => getComputedStyle(r).fill") == "rgb(0, 0, 0)"
    visit(page, f"/service/{barcode}", barcode)
    visit(page, "/hjelpemidler/HJM99999999", "Fant ikke det du lette etter", status=404)
    with page.expect_navigation():
        page.get_by_role("link", name="Tilbake", exact=True).click()
    assert page.url.endswith(f"/service/{barcode}")
    assert watch.problems() == []


def test_the_scan_station_finds_a_unit_and_moves_it_under_the_policy(new_page, live_server):
    barcode = live_server.make_device(location_code="A-01-1")
    page, watch = watched(new_page, **DESKTOP)
    login_as(page, live_server, "lager", next_path="/skann")
    expect(page.get_by_test_id("scan-status")).to_have_text("Klar til skanning.")

    scan_and_wait(page, barcode, f"{barcode} funnet.")
    expect(page.get_by_test_id("device-card")).to_contain_text("A-01-1")
    scan_and_wait(page, live_server.seed.location_barcodes["A-01-2"], "Lokasjon A-01-2 valgt. Skann hjelpemidlene.")
    scan_and_wait(page, barcode, f"{barcode} flyttet til A-01-2.")
    scan_and_wait(page, "HJM00000000", re.compile(r"\S"))
    expect(page.get_by_test_id("scan-status")).to_have_class(re.compile(r"\bbad\b"))
    expect(page.locator("body")).to_have_class(re.compile(r"\bflash-red\b"))

    assert live_server.device(barcode).location_code == "A-01-2"
    assert watch.problems() == []


def test_picking_by_scan_and_the_drivers_run_page_work_under_the_policy(new_page, live_server, pick_run):
    run_id, barcode = pick_run
    page, watch = watched(new_page, **DESKTOP)
    login_as(page, live_server, "lager")
    visit(page, f"/runder/{run_id}/plukk", f"Plukk kjørerunde {run_id}")
    expect(page.get_by_test_id("pick-input")).to_be_focused()

    assert pick_scan(page, barcode).status == 200
    expect(page.get_by_test_id("pick-status")).to_have_text(f"{barcode} plukket. Alt er plukket.")
    expect(page.locator(f'tr[data-barcode="{barcode}"] .tick')).to_have_text("✓")
    visit(page, f"/lager/runder?dato={CSP_DAY.isoformat()}", "Kjørerunder")

    phone, phone_watch = watched(new_page, **PHONE)
    login_as(phone, live_server, "sjafor")
    visit(phone, "/sjafor", "Mine kjørerunder")
    visit(phone, f"/sjafor/runde/{run_id}", f"Runde {run_id}")
    expect(phone.get_by_test_id("start-form")).to_be_visible()
    assert watch.problems() + phone_watch.problems() == []
