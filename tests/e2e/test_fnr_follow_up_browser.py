"""Admin follows up the fnr access log in a real browser (/admin/fnr-tilgang).

Today a therapist swept fødselsnummer: 31 searches, 25 of them finding nobody. A colleague revealed
two numbers. Admin opens «Tilgangslogg» from the top bar, sees the sweeper flagged, narrows the list
to flagged users only, then to the colleague by username, and pages through a list of one per page.
"""
from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from hjelpemiddel.citizens.models import FnrAccess
from hjelpemiddel.citizens.services import register_citizen
from hjelpemiddel.core.auth import create_user
from hjelpemiddel.core.db import get_session, utcnow
from hjelpemiddel.core.fnr import make_fnr
from hjelpemiddel.core.text import local_today

from .conftest import login_as
from .depot_helpers import assert_plain_bokmal

pytestmark = pytest.mark.browser
_runs = itertools.count(1)


def _log_uses(live_server) -> tuple[str, str]:
    run = next(_runs)
    with live_server.app.app_context():
        session = get_session()
        sweeper = create_user(session, f"e2e-sveiper-{run}", "terapeut", "passord-som-er-langt", "Sigve Sveiper")
        colleague = create_user(session, f"e2e-kollega-{run}", "terapeut", "passord-som-er-langt", "Kari Kollega")
        fnr = next(fnr for serial in range(100 + 50 * run, 150 + 50 * run) if (fnr := make_fnr("290277", str(serial))))
        found = register_citizen(session, live_server.app.extensions["fnr_vault"], sweeper.id, fnr, "Funnet Person",
                                 "Storgata 1", "6509", "1505")
        now = utcnow()
        for number in range(31):
            missed = number < 25
            session.add(FnrAccess(user_id=sweeper.id, action="lookup", purpose_code="other", purpose="abc",
                                  citizen_id=None if missed else found.id, fnr_hash=f"{number:064x}" if missed else None,
                                  accessed_at=now))
        for _ in range(2):
            session.add(FnrAccess(user_id=colleague.id, action="reveal", purpose_code="nav_application", purpose="",
                                  accessed_at=now))
        session.commit()
        return sweeper.username, colleague.username


def _filter(page, user: str = "", flagged_only: bool = False) -> None:
    form = page.get_by_role("search")
    form.get_by_label("Bruker").fill(user)
    form.get_by_label("Bare flaggede").set_checked(flagged_only)
    with page.expect_navigation():
        form.get_by_role("button", name="Vis").click()


def test_admin_sees_a_sweep_flagged_filters_by_user_and_flag_and_pages_through_the_days(page, live_server):
    sweeper, colleague = _log_uses(live_server)
    day = local_today()
    login_as(page, live_server, "admin")
    page.get_by_role("link", name="Tilgangslogg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oppfølging av tilgangsloggen for fødselsnummer")
    assert_plain_bokmal(page)

    swept = page.get_by_test_id(f"follow-up-{sweeper}-{day.isoformat()}")
    expect(swept.locator("td")).to_have_text([day.strftime("%d.%m.%Y"), f"Sigve Sveiper {sweeper}", "31", "25", "0",
                                              "Over terskelen"])
    quiet = page.get_by_test_id(f"follow-up-{colleague}-{day.isoformat()}")
    expect(quiet.locator("td").nth(4)).to_have_text("2")
    expect(quiet.locator("td").nth(5)).to_have_text("")

    _filter(page, flagged_only=True)
    expect(swept).to_be_visible()
    expect(quiet).to_have_count(0)

    _filter(page, user=colleague)
    expect(page.locator("[data-testid^='follow-up-e2e']")).to_have_count(1)
    expect(quiet).to_be_visible()

    page.goto(f"/admin/fnr-tilgang?limit=1&date_from={day.isoformat()}&date_to={day.isoformat()}")
    expect(page.locator("tbody tr")).to_have_count(1)
    first = page.locator("tbody tr").get_attribute("data-testid")
    with page.expect_navigation():
        page.get_by_role("link", name="Neste →").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert page.locator("tbody tr").get_attribute("data-testid") != first
    expect(page.locator(".pager")).to_contain_text("Viser 2–2 av")
