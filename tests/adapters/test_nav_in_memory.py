"""InMemoryNav answers as the HTTP client does, and the app and the fake share one set of NAV rules."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from integrations.nav import port as nav_port
from integrations.nav.fake_data import FakeClock
from integrations.nav.fake_nav import FakeNavState
from integrations.nav.fake_server import DEFAULT_TOKEN, create_fake_nav
from integrations.nav.http_client import NavHttpClient
from integrations.nav.memory import InMemoryNav
from integrations.nav.port import (
    MAX_PART_ORDERS_PER_24H, Del, Delbestilling, DelLinje, ForMangeBestillingerSiste24Timer, KanIkkeBestille,
    NavError, NavLoan, NavPort, NavUnavailable, PartOrderInvalid, RecordInvalid, Soknad, SoknadHjelpemiddel,
    check_order_rate, validate_part_order,
)

from .support import HttpControl, serving, some_fnr

SEEDED = InMemoryNav(seed_data=True).state  # what both fakes below start with (same seed, same clock)
FNR, LOANS = next(iter(SEEDED.loans.items()))
WHEEL = Del("150817", 'Dekk 24"', "Dekk", maks_antall=2)


def order(loan: dict, **change) -> Delbestilling:
    return replace(Delbestilling(id="0b8c1b9e-3f55-4a39-9d7e-0f4f3c0d2a11", hmsnr=loan["artikkelNr"],
                                 serienr=loan["serieNr"], navn=loan["artikkelBeskrivelse"],
                                 deler=(DelLinje(WHEEL, 2),)), **change)


def outcome(call):
    """What a call gave: its answer, or its error as the app would see it."""
    try:
        return call()
    except (NavError, RecordInvalid, ValueError) as exc:
        return (type(exc).__name__, getattr(exc, "feil_code", None), getattr(exc, "field", None),
                getattr(exc, "http_status", None), str(exc))


def scenario(port, control) -> list:
    out = []
    cursor = None
    for _ in range(6):
        page = port.fetch_order_lines(cursor, 7)
        out.append(page)
        cursor = page.next_cursor
    first, last = LOANS[0], LOANS[-1]
    application = Soknad(id="5c0f7a7e-8e0b-4c53-a7a3-5d2b0f1e9c44", fnr_bruker=some_fnr(51), kommunenummer="1505",
                         hjelpemidler=(SoknadHjelpemiddel("Rullestol", iso_kategori="122203"),), merknad=None)
    calls = [
        lambda: port.citizen_loans(FNR),
        lambda: port.citizen_loans("12345678901"),
        lambda: port.submit_part_order(order(first), "p-1"),
        lambda: port.submit_part_order(order(first), "p-1"),
        lambda: port.submit_part_order(order(first, navn="Annet navn"), "p-1"),
        lambda: port.submit_part_order(order(first, serienr="000000"), "p-2"),
        lambda: port.submit_part_order(order(first, deler=()), "p-3"),
        lambda: control.configure(refuse={f"{last['artikkelNr']}-{last['serieNr']}": "KAN_IKKE_BESTILLE"}),
        lambda: port.submit_part_order(order(last), "p-4"),
        lambda: port.order_status(1000),
        lambda: port.order_status(999),
        lambda: control.advance(minutes=6),
        lambda: port.order_status(1000),
        lambda: port.submit_application(application, "s-1"),
        lambda: port.submit_application(application, "s-1"),
        lambda: port.submit_application(replace(application, hjelpemidler=()), "s-2"),
        lambda: control.advance(minutes=2),
        lambda: port.application_status(100_000),
        lambda: port.fetch_order_lines(cursor, 50),
        lambda: port.citizen_loans(application.fnr_bruker),
        lambda: port.report_return(first["artikkelNr"], first["serieNr"], "hentet", "r-1", kept_for_reuse=True),
        lambda: port.report_return(first["artikkelNr"], first["serieNr"], "hentet", "r-1", kept_for_reuse=True),
        lambda: port.report_return(first["artikkelNr"], first["serieNr"], "igjen", "r-2"),
        lambda: control.advance(hours=25),
        lambda: port.order_status(1000),
        lambda: port.application_status(100_000),
        lambda: port.fetch_order_lines(cursor, 50),
        lambda: control.stats()["saker"],
    ]
    out.extend(outcome(call) for call in calls)
    return out


def test_in_memory_and_http_give_the_same_answers_for_the_same_calls():
    memory = InMemoryNav(seed_data=True)
    in_memory = scenario(memory, memory)
    with serving(create_fake_nav(seed=1, clock=FakeClock())) as base:
        client = NavHttpClient(base, DEFAULT_TOKEN, sleep=lambda s: None, timeout=(1, 2))
        over_http = scenario(client, HttpControl(base))
    assert len(in_memory) == len(over_http) == 34
    for step, (a, b) in enumerate(zip(in_memory, over_http)):
        assert a == b, f"step {step}"
    # The scenario met every kind of answer: pages, answers, refusals, local and NAV's own checks.
    kinds = {a[0] for a in in_memory if isinstance(a, tuple)}
    assert {"NavRequestError", "IngetUtlan", "KanIkkeBestille", "PartOrderInvalid", "ApplicationInvalid"} <= kinds


def test_in_memory_is_a_nav_port_with_controls():
    nav = InMemoryNav()
    assert isinstance(nav, NavPort)
    fnr = some_fnr(52)
    [added] = nav.add_loans(fnr, [NavLoan(artikkel_nr="236958", artikkel_beskrivelse="Rullestol", serie_nr="401234")])
    assert added["serieNr"] == "401234" and nav.add_loans(fnr, [added]) == []  # not twice
    assert [l.serie_nr for l in nav.citizen_loans(fnr)] == ["401234"]
    nav.refuse_part_orders("236958", "401234", "KAN_IKKE_BESTILLE")
    with pytest.raises(KanIkkeBestille):
        nav.submit_part_order(order({"artikkelNr": "236958", "serieNr": "401234", "artikkelBeskrivelse": "x"}), "k")
    approved = nav.approve(fnr, "291003", "Seng Opus 90EW", serienr="500001")
    assert approved["loan"]["serieNr"] == "500001"
    assert nav.upsert_order_lines([{**approved["ordrelinje"], "Status": "SHIPPED"}]) == [nav.state.seq]
    assert nav.generate_order_lines(5, fnrs=[fnr], seed=1) == nav.state.seq
    nav.refuse_applications(fnr)
    assert nav.configure()["refuse_applications"] == [fnr]
    before = nav.clock()
    assert nav.advance(hours=1, minutes=30) - before == timedelta(minutes=90)
    nav.report_return("291003", "500001", "", "r-1")
    assert [r["serienr"] for r in nav.returns()] == ["500001"] and nav.stats()["returns"] == 1
    assert nav.reset()["order_lines"] == 0 and nav.citizen_loans(fnr) == []


def test_in_memory_nav_down_is_nav_unavailable_and_back_up_again():
    nav = InMemoryNav(seed_data=True)
    nav.down = True
    with pytest.raises(NavUnavailable):
        nav.fetch_order_lines(None, 10)
    with pytest.raises(NavUnavailable):
        nav.submit_part_order(order(LOANS[0]), "d-1")
    assert nav.stats()["saker"] == 0
    nav.down = False
    assert nav.submit_part_order(order(LOANS[0]), "d-1").saksnummer == 1000


def test_answers_are_copies_not_the_fakes_own_records():
    nav = InMemoryNav(seed_data=True)
    record = nav.approve(some_fnr(53), "177946", "Rollator")["ordrelinje"]
    record["Status"] = "endret"
    assert nav.fetch_order_lines(None, 100).lines[-1].status == "BOOKED"


# ------------------------------------------------------------------ one set of rules

@pytest.mark.parametrize("change", [
    {"hmsnr": "12345"}, {"serienr": "12345a"}, {"deler": ()}, {"levering": "HJEM"},
    {"deler": (DelLinje(Del("150817", "Dekk", "Dekk"), 0),)},
    {"deler": (DelLinje(Del("15081", "Dekk", "Dekk"), 1),)},
    {"deler": (DelLinje(WHEEL, 3),)},
    {"deler": (DelLinje(Del("150817", "Dekk", "Dekk", maks_antall=0), 1),)},
    {"deler": (DelLinje(Del("167002", "Batteri", "Batteri"), 1),), "har_opplaering_pa_batteri": False},
])
def test_the_fake_refuses_a_part_order_with_exactly_the_ports_rule(change):
    bad = order(LOANS[0], **change)
    with pytest.raises(PartOrderInvalid) as local:
        validate_part_order(bad)
    state = FakeNavState.open(FakeClock())
    with pytest.raises(PartOrderInvalid) as at_nav:
        state.submit_part_order(bad.to_wire(), "k-1")
    assert (at_nav.value.field, at_nav.value.message) == (local.value.field, local.value.message)


def test_a_number_where_nav_wants_text_is_refused_as_before():
    wire = order(LOANS[0]).to_wire()
    wire["delbestilling"]["hmsnr"] = int(wire["delbestilling"]["hmsnr"])
    with pytest.raises(PartOrderInvalid) as exc:
        FakeNavState.open(FakeClock()).submit_part_order(wire, "k-1")
    assert exc.value.field == "hmsnr"


def test_the_24_hour_limit_is_one_function_with_navs_refusal():
    now = datetime(2024, 3, 4, 12, 0)
    check_order_rate([], now)
    almost = [now - timedelta(hours=h) for h in range(MAX_PART_ORDERS_PER_24H - 1)]
    check_order_rate(almost + [now - timedelta(hours=24), now - timedelta(days=3)], now)  # 24 h old: no longer counts
    with pytest.raises(ForMangeBestillingerSiste24Timer) as exc:
        check_order_rate(almost + [now - timedelta(hours=23, minutes=59)], now)
    assert (exc.value.feil_code, exc.value.http_status) == ("FOR_MANGE_BESTILLINGER_SISTE_24_TIMER", 403)
    assert MAX_PART_ORDERS_PER_24H == 5


def test_the_fake_counts_with_the_ports_limit(monkeypatch):
    monkeypatch.setattr(nav_port, "MAX_PART_ORDERS_PER_24H", 2)
    nav = InMemoryNav(seed_data=True)
    for key in ("a", "b"):
        nav.submit_part_order(order(LOANS[0], id=key), key)
    with pytest.raises(ForMangeBestillingerSiste24Timer):
        nav.submit_part_order(order(LOANS[0], id="c"), "c")
