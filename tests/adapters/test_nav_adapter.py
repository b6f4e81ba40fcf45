"""The NAV adapter against the fake NAV server over real HTTP on loopback."""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from integrations.nav.fake_data import FakeClock
from integrations.nav.fake_server import DEFAULT_TOKEN, create_fake_nav
from integrations.nav.file_transport import OrderLineFileError, read_order_lines
from integrations.nav.http_client import NavHttpClient
from integrations.nav.port import (
    FEIL_MESSAGES, Del, Delbestilling, DelLinje, IngetUtlan, NavPort, NavRefused, NavRequestError,
    NavUnavailable, OrderLine, PartOrderInvalid, validate_part_order,
)

from .support import serving, some_fnr


@pytest.fixture
def fake():
    clock = FakeClock()
    app = create_fake_nav(seed=1, clock=clock)
    with serving(app) as base:
        yield {"base": base, "app": app, "state": app.extensions["fake_nav"], "clock": clock}


def control(fake, **settings):
    r = requests.post(f"{fake['base']}/_control", json=settings, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def stats(fake):
    return requests.get(f"{fake['base']}/_control/stats", timeout=5).json()


def make_client(fake, **kw):
    kw.setdefault("sleep", lambda s: None)
    kw.setdefault("timeout", (1, 2))
    return NavHttpClient(fake["base"], DEFAULT_TOKEN, **kw)


def loan_on(fake):
    fnr, loans = next(iter(fake["state"].loans.items()))
    return fnr, loans[0]


def order_for(loan, *, deler=None, batteri=None, hmsnr=None, serienr=None):
    deler = deler if deler is not None else (DelLinje(Del("150817", 'Dekk 24"', "Dekk", maks_antall=2), 2),)
    return Delbestilling(id=str(uuid.uuid4()), hmsnr=hmsnr or loan["artikkelNr"], serienr=serienr or loan["serieNr"],
                         navn=loan["artikkelBeskrivelse"], deler=tuple(deler), har_opplaering_pa_batteri=batteri)


def drain(client, cursor=None, limit=4):
    seen, pages = [], 0
    while True:
        page = client.fetch_order_lines(cursor, limit)
        seen.extend(page.lines)
        cursor = page.next_cursor
        pages += 1
        if not page.has_more:
            return seen, cursor, pages


# ------------------------------------------------------------------ order lines

def test_client_satisfies_port(fake):
    assert isinstance(make_client(fake), NavPort)


def test_pages_order_lines_until_exhausted_then_resumes_from_cursor(fake):
    client = make_client(fake)
    lines, cursor, pages = drain(client, limit=5)
    assert len(lines) == 23 and pages == 5
    assert len({line.key for line in lines}) == 23
    assert all(isinstance(line, OrderLine) for line in lines)
    individual = [l for l in lines if l.user_item_type == "Individstyrt hjelpemiddel"]
    assert individual and all(len(l.serie_nummer_liste) == 1 for l in individual)
    assert all(l.to_municipal_address for l in lines)
    # Nothing new since the cursor: an empty page, same cursor.
    page = client.fetch_order_lines(cursor, 5)
    assert page.lines == [] and page.next_cursor == cursor and not page.has_more
    # An updated line comes again after the cursor, with its new values.
    first = lines[0]
    requests.post(f"{fake['base']}/_control/order-lines", timeout=5, json=[
        {"OrdreNumber": first.ordre_number, "LineNumber": first.line_number,
         "ShipmentNumber": first.shipment_number, "Status": "SHIPPED", "Quantity": 3}])
    page = client.fetch_order_lines(cursor, 5)
    assert [(l.key, l.status, l.quantity) for l in page.lines] == [(first.key, "SHIPPED", 3)]
    assert page.lines[0].description == first.description  # the rest of the record is kept


def test_wire_round_trip_uses_navs_keys(fake):
    record = requests.get(f"{fake['base']}/ordrelinjer?limit=1", timeout=5,
                          headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}).json()["ordrelinjer"][0]
    assert OrderLine.from_wire(record).to_wire() == record


def test_retries_through_500s_and_dropped_connections_and_gets_every_line_once(fake):
    control(fake, fail_every=3, drop_every=5)
    delays = []
    client = make_client(fake, sleep=delays.append, rng=lambda: 1.0, backoff=0.2)
    lines, _, _ = drain(client, limit=4)
    assert sorted(l.key for l in lines) == sorted(fake["state"].lines)
    assert len(lines) == len(set(l.key for l in lines)) == 23
    s = stats(fake)
    assert s["requests"] > 6  # failures happened and were retried
    assert delays and all(d in (0.2, 0.4, 0.8, 1.6) for d in delays)


def test_duplicate_and_updated_lines_collapse_to_one_per_key(fake):
    control(fake, duplicate_lines=True)
    client = make_client(fake)
    latest = {}
    cursor = None
    while True:
        page = client.fetch_order_lines(cursor, 4)
        assert len({l.key for l in page.lines}) == len(page.lines)  # duplicates within a page removed
        for line in page.lines:
            latest[line.key] = line  # the application upserts by key
        cursor = page.next_cursor
        if not page.has_more:
            break
    assert len(latest) == 23


def test_gives_up_with_nav_unavailable_after_retries(fake):
    control(fake, fail_every=1)
    sleeps = []
    client = make_client(fake, retries=3, sleep=sleeps.append, rng=lambda: 0.5, backoff=0.1)
    with pytest.raises(NavUnavailable):
        client.fetch_order_lines(None, 5)
    assert stats(fake)["requests"] == 4
    assert sleeps == [0.05, 0.1, 0.2]  # full jitter over exponential backoff


def test_timeout_is_retried_then_unavailable(fake):
    control(fake, slow_ms=400)
    client = make_client(fake, timeout=(1, 0.1), retries=1)
    with pytest.raises(NavUnavailable, match="tidsavbrudd"):
        client.fetch_order_lines(None, 5)
    assert stats(fake)["requests"] == 2


def test_never_retries_4xx(fake):
    client = NavHttpClient(fake["base"], "wrong-token", sleep=lambda s: None, timeout=(1, 2))
    with pytest.raises(NavRequestError) as exc:
        client.fetch_order_lines(None, 5)
    assert exc.value.http_status == 401
    good = make_client(fake)
    with pytest.raises(IngetUtlan):
        good.submit_part_order(order_for({"artikkelNr": "111111", "serieNr": "222222",
                                          "artikkelBeskrivelse": "x"}), "k-1")
    with pytest.raises(NavRequestError) as exc:
        good.order_status(999999)
    assert exc.value.http_status == 404
    s = stats(fake)
    assert s["requests"] == 3
    assert s["by_endpoint"] == {"GET /ordrelinjer": 1, "POST /delbestilling": 1,
                                "GET /delbestilling/<int:saksnummer>": 1}


# ------------------------------------------------------------------ loans and returns

def test_citizen_loans_and_report_return(fake):
    client = make_client(fake)
    fnr, loan = loan_on(fake)
    loans = client.citizen_loans(fnr)
    assert loan["serieNr"] in [l.serie_nr for l in loans]
    assert loans[0].to_wire()["utlånsType"] in "PFKU"
    client.report_return(loan["artikkelNr"], loan["serieNr"], "Hentet hos bruker", "r-1")
    assert loan["serieNr"] not in [l.serie_nr for l in client.citizen_loans(fnr)]
    with pytest.raises(IngetUtlan):
        client.report_return(loan["artikkelNr"], loan["serieNr"], "igjen", "r-2")
    with pytest.raises(NavRequestError):
        client.citizen_loans("12345678901")  # bad check digits


# ------------------------------------------------------------------ spare-part orders

@pytest.mark.parametrize("code", sorted(FEIL_MESSAGES))
def test_each_feil_code_maps_to_nav_refused_with_norwegian_text(fake, code):
    _, loan = loan_on(fake)
    control(fake, refuse={f"{loan['artikkelNr']}-{loan['serieNr']}": code})
    with pytest.raises(NavRefused) as exc:
        make_client(fake).submit_part_order(order_for(loan), str(uuid.uuid4()))
    assert exc.value.feil_code == code
    assert exc.value.http_status == (404 if code in {"INGET_UTLÅN", "KAN_IKKE_BESTILLE", "BRUKER_IKKE_FUNNET",
                                                     "LAGERENHET_IKKE_FUNNET"} else 403)
    assert exc.value.message == FEIL_MESSAGES[code] and str(exc.value) == FEIL_MESSAGES[code]
    assert type(exc.value) is not NavRefused  # a specific type per code
    assert stats(fake)["requests"] == 1


def test_inget_utlan_text():
    assert FEIL_MESSAGES["INGET_UTLÅN"] == "Hjelpemiddelet står ikke på et aktivt utlån hos NAV"


def test_part_order_is_idempotent(fake):
    client = make_client(fake)
    _, loan = loan_on(fake)
    order = order_for(loan)
    first = client.submit_part_order(order, "same-key")
    second = client.submit_part_order(order, "same-key")
    assert first.saksnummer == second.saksnummer
    assert first.delbestilling_sak.status == "INNSENDT"
    assert first.delbestilling_sak.delbestilling == order
    assert stats(fake)["saker"] == 1
    # A submit that first meets a 500 is retried with the same key and makes exactly one new sak.
    control(fake, fail_every=2, reset_stats=True)
    client.order_status(first.saksnummer)  # request 1 passes; the submit is request 2 -> 500, then 3
    third = client.submit_part_order(order_for(loan), "other-key")
    assert third.saksnummer != first.saksnummer
    s = stats(fake)
    assert s["saker"] == 2 and s["by_endpoint"]["POST /delbestilling"] == 2


def test_at_most_five_orders_per_device_per_24_hours(fake):
    client = make_client(fake)
    _, loan = loan_on(fake)
    for _ in range(5):
        client.submit_part_order(order_for(loan), str(uuid.uuid4()))
    with pytest.raises(NavRefused) as exc:
        client.submit_part_order(order_for(loan), str(uuid.uuid4()))
    assert exc.value.feil_code == "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER" and exc.value.http_status == 403
    fake["clock"].advance(hours=24)
    assert client.submit_part_order(order_for(loan), str(uuid.uuid4())).saksnummer


def test_battery_needs_training_locally_and_at_nav(fake):
    _, loan = loan_on(fake)
    battery = (DelLinje(Del("167002", "Batteri 12V 50Ah", "Batteri"), 1),)
    client = make_client(fake)
    with pytest.raises(PartOrderInvalid) as exc:
        client.submit_part_order(order_for(loan, deler=battery, batteri=None), "b-1")
    assert exc.value.field == "harOpplæringPåBatteri"
    assert stats(fake)["requests"] == 0  # refused before sending
    # The fake enforces it too, when something sends it anyway.
    raw = order_for(loan, deler=battery, batteri=False).to_wire()
    r = requests.post(f"{fake['base']}/delbestilling", json=raw, timeout=5,
                      headers={"Authorization": f"Bearer {DEFAULT_TOKEN}", "Idempotency-Key": "b-2"})
    assert r.status_code == 400 and r.json()["valideringsfeil"][0]["felt"] == "harOpplæringPåBatteri"
    assert client.submit_part_order(order_for(loan, deler=battery, batteri=True), "b-3").saksnummer


@pytest.mark.parametrize("change, field", [
    ({"hmsnr": "12345"}, "hmsnr"),
    ({"serienr": "12345a"}, "serienr"),
    ({"deler": ()}, "deler"),
    ({"deler": (DelLinje(Del("150817", "Dekk", "Dekk"), 0),)}, "deler[0].antall"),
    ({"deler": (DelLinje(Del("15081", "Dekk", "Dekk"), 1),)}, "deler[0].del.hmsnr"),
    ({"levering": "HJEM"}, "levering"),
])
def test_local_validation_names_the_field(change, field):
    base = order_for({"artikkelNr": "236958", "serieNr": "687273", "artikkelBeskrivelse": "Rullestol"})
    order = Delbestilling(**{**base.__dict__, **change})
    with pytest.raises(PartOrderInvalid) as exc:
        validate_part_order(order)
    assert exc.value.field == field and isinstance(exc.value, ValueError)


def test_status_moves_forward_with_the_fake_clock(fake):
    client = make_client(fake)
    _, loan = loan_on(fake)
    saksnummer = client.submit_part_order(order_for(loan), "s-1").saksnummer
    sak = client.order_status(saksnummer)
    assert sak.status == "INNSENDT" and sak.oebs_ordrenummer is None
    fake["clock"].advance(minutes=6)
    sak = client.order_status(saksnummer)
    assert sak.status == "REGISTRERT" and sak.oebs_ordrenummer
    oebs = sak.oebs_ordrenummer
    fake["clock"].advance(hours=2)
    assert client.order_status(saksnummer).status == "KLARGJORT"
    fake["clock"].advance(hours=24)
    sak = client.order_status(saksnummer)
    assert sak.status == "SKIPNINGSBEKREFTET" and sak.oebs_ordrenummer == oebs
    # The shipped part arrives as an order line referring to the sak.
    lines, _, _ = drain(client, limit=50)
    parts = [l for l in lines if l.spare_part_saksnummer == saksnummer]
    assert [(p.user_item_type, p.ordered_item, p.quantity) for p in parts] == [("Del", "150817", 2)]


# ------------------------------------------------------------------ file transport

def test_file_transport_reads_json_and_csv(fake, tmp_path):
    records = [{k: v for k, v in r.items() if k != "_seq"} for r in list(fake["state"].lines.values())[:4]]
    json_path = tmp_path / "ordrelinjer.json"
    json_path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    from_json = read_order_lines(json_path)
    assert [l.to_wire() for l in from_json] == records

    import csv
    csv_path = tmp_path / "ordrelinjer.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(records[0]), delimiter=";")
        writer.writeheader()
        for r in records:
            writer.writerow({**r, "SerieNummerListe": ",".join(r["SerieNummerListe"])})
    assert read_order_lines(csv_path) == from_json


def test_file_transport_names_the_bad_row_and_field(tmp_path):
    good = {"OrdreNumber": "1", "LineNumber": 1, "OrderedItem": "236958", "Quantity": 1,
            "User_ItemType": "Hjelpemiddel"}
    path = tmp_path / "x.json"
    path.write_text(json.dumps([good, {**good, "LineNumber": 2, "Quantity": "mange"}]))
    with pytest.raises(OrderLineFileError) as exc:
        read_order_lines(path)
    assert (exc.value.row, exc.value.field) == (2, "Quantity")
    assert "rad 2" in str(exc.value) and "Quantity" in str(exc.value)

    csv_path = tmp_path / "x.csv"
    csv_path.write_text("OrdreNumber,LineNumber,OrderedItem,Quantity,User_ItemType\n"
                        "1,1,236958,1,Hjelpemiddel\n1,2,236958,1,Sykkel\n", encoding="utf-8")
    with pytest.raises(OrderLineFileError) as exc:
        read_order_lines(csv_path)
    assert (exc.value.row, exc.value.field) == (2, "User_ItemType")


# ------------------------------------------------------------------ order-line identity and paging at scale

AUTH = {"Authorization": f"Bearer {DEFAULT_TOKEN}"}


def post_control(fake, path, body):
    return requests.post(f"{fake['base']}/_control/{path}", json=body, timeout=30)


def test_the_order_line_key_includes_the_shipment_so_two_shipments_of_a_line_are_two_lines(fake):
    record = {"OrdreNumber": "4300001", "LineNumber": 1, "OrderedItem": "150817", "Description": 'Dekk 24"',
              "User_ItemType": "Del", "Quantity": 2, "SendTilAddresse1": "0301 Hjelpemiddellageret"}
    r = post_control(fake, "order-lines", [{**record, "ShipmentNumber": "800001"},
                                           {**record, "ShipmentNumber": "800002", "Quantity": 1}])
    assert r.status_code == 200
    client = make_client(fake)
    lines, _, _ = drain(client, limit=100)
    ours = sorted((l for l in lines if l.ordre_number == "4300001"), key=lambda l: l.key)
    assert [(l.key, l.quantity) for l in ours] == [(("4300001", 1, "800001"), 2), (("4300001", 1, "800002"), 1)]
    assert OrderLine.from_wire({**record}).key == ("4300001", 1, "")  # no shipment yet
    assert len(fake["state"].lines) == 25


def test_paging_fifty_thousand_generated_lines_with_limit_500_returns_every_key_exactly_once(fake):
    started = time.monotonic()
    r = post_control(fake, "generate-order-lines", {"count": 50_000, "seed": 3})
    assert r.status_code == 200 and r.json()["count"] == 50_000
    assert r.json()["last_sequence"] == fake["state"].seq
    client = make_client(fake)
    keys, cursor, pages = [], None, 0
    while True:
        page = client.fetch_order_lines(cursor, 500)
        keys.extend(line.key for line in page.lines)
        cursor, pages = page.next_cursor, pages + 1
        if not page.has_more:
            break
    assert len(keys) == len(set(keys)) == 50_023
    assert set(keys) == set(fake["state"].lines)
    assert pages == 101
    assert time.monotonic() - started < 60  # a guard against accidental O(n) per page, not a benchmark
    s = stats(fake)
    assert s["order_lines"] == 50_023 and s["by_endpoint"]["GET /ordrelinjer"] == 101


def test_generated_lines_are_valid_nav_records_with_the_given_fnrs(fake):
    fnrs = [some_fnr(1), some_fnr(2)]
    r = post_control(fake, "generate-order-lines", {"count": 300, "fnrs": fnrs, "seed": 9})
    assert r.status_code == 200
    lines, _, _ = drain(make_client(fake), limit=1000)
    generated = [l for l in lines if l.account_number in fnrs]
    assert len(generated) == 300
    assert {l.user_item_type for l in generated} == {"Hjelpemiddel", "Individstyrt hjelpemiddel", "Del"}
    for line in generated:
        assert len(line.ordered_item) == 6 and line.ordered_item.isdigit()
        if line.user_item_type == "Individstyrt hjelpemiddel":
            assert len(line.serie_nummer_liste) == 1 and len(line.serie_nummer_liste[0]) == 6
    bad = post_control(fake, "generate-order-lines", {"count": 10, "fnrs": ["12345678901"]})
    assert bad.status_code == 400
    assert post_control(fake, "generate-order-lines", {"count": 0}).status_code == 400


def test_an_updated_line_moves_to_the_end_and_its_old_sequence_is_skipped(fake):
    state = fake["state"]
    client = make_client(fake)
    first = client.fetch_order_lines(None, 1).lines[0]
    for quantity in range(2, 6):  # updated four times: only the newest version is current
        post_control(fake, "order-lines", [{"OrdreNumber": first.ordre_number, "LineNumber": first.line_number,
                                            "ShipmentNumber": first.shipment_number, "Quantity": quantity}])
    lines, _, _ = drain(client, limit=7)
    assert len(lines) == 23 and lines[-1].key == first.key and lines[-1].quantity == 5
    assert len(state.seq_keys) == 23


def test_a_page_limit_above_1000_is_refused(fake):
    url = f"{fake['base']}/ordrelinjer"
    assert requests.get(url, params={"limit": 1000}, headers=AUTH, timeout=5).status_code == 200
    r = requests.get(url, params={"limit": 1001}, headers=AUTH, timeout=5)
    assert r.status_code == 400 and "1000" in r.json()["error"]
    with pytest.raises(NavRequestError) as exc:
        make_client(fake).fetch_order_lines(None, 1001)
    assert exc.value.http_status == 400


def test_fail_every_third_request_while_paging_still_ends_with_all_lines(fake):
    post_control(fake, "generate-order-lines", {"count": 2_000, "seed": 5})
    control(fake, fail_every=3)
    lines, _, pages = drain(make_client(fake), limit=150)
    assert len(lines) == len({l.key for l in lines}) == 2_023
    assert stats(fake)["requests"] > pages  # some pages needed a second try


def test_a_fake_started_empty_at_a_high_sequence_keeps_cursors_moving_forward():
    app = create_fake_nav(seed=1, clock=FakeClock(), seq_start=1_700_000_000_000, seed_data=False)
    state = app.extensions["fake_nav"]
    assert state.lines == {} and state.loans == {}
    with serving(app) as base:
        client = NavHttpClient(base, DEFAULT_TOKEN, sleep=lambda s: None, timeout=(1, 2))
        empty = client.fetch_order_lines(None, 10)
        assert empty.lines == [] and not empty.has_more
        requests.post(f"{base}/_control/generate-order-lines", json={"count": 3}, timeout=5)
        page = client.fetch_order_lines("1699999999999", 10)  # a cursor from an earlier run of the fake
        assert len(page.lines) == 3 and int(page.next_cursor) == 1_700_000_000_003


# ------------------------------------------------------------------ truncated and garbled answers

def test_a_truncated_response_is_a_real_error_for_requests(fake):
    control(fake, truncate_every=1)
    with pytest.raises(requests.RequestException) as exc:
        requests.get(f"{fake['base']}/ordrelinjer", params={"limit": 20}, headers=AUTH, timeout=5)
    assert isinstance(exc.value, (requests.exceptions.ChunkedEncodingError, requests.ConnectionError))
    # Streamed: the headers promise the full length, but only part of the body arrives.
    r = requests.get(f"{fake['base']}/ordrelinjer", params={"limit": 20}, headers=AUTH, timeout=5, stream=True)
    promised = int(r.headers["Content-Length"])
    received = bytearray()
    with pytest.raises(requests.RequestException):
        for chunk in r.iter_content(1024):
            received.extend(chunk)
    assert 0 < len(received) < promised


def test_truncated_pages_are_retried_and_every_line_still_arrives(fake):
    control(fake, truncate_every=2)
    delays = []
    client = make_client(fake, sleep=delays.append)
    lines, _, pages = drain(client, limit=4)
    assert len(lines) == len({l.key for l in lines}) == 23
    assert delays and stats(fake)["requests"] > pages


def test_a_truncated_part_order_answer_is_retried_without_a_second_sak(fake):
    _, loan = loan_on(fake)
    control(fake, truncate_every=1)
    client = make_client(fake, retries=1)
    with pytest.raises(NavUnavailable, match="avbrutt svar"):
        client.submit_part_order(order_for(loan), "t-1")
    control(fake, truncate_every=0)
    svar = client.submit_part_order(order_for(loan, deler=None), "t-2")
    assert stats(fake)["saker"] == 2  # t-1 was stored by NAV once although both answers were cut off
    assert svar.saksnummer


def garbled_nav(bad_answers, bad):
    """An app whose first ``bad_answers`` answers to /ordrelinjer are broken in the way ``bad`` says."""
    from flask import Flask
    app = Flask("garbled")
    calls = []

    @app.get("/ordrelinjer")
    def lines():
        calls.append(1)
        if len(calls) <= bad_answers:
            return bad()
        return {"ordrelinjer": [], "nextCursor": "7", "hasMore": False}

    return app, calls


@pytest.mark.parametrize("bad", [
    lambda: ("<html>proxy error</html>", 200, {"Content-Type": "text/html"}),
    lambda: ('{"ordrelinjer": [', 200, {"Content-Type": "application/json"}),
    lambda: (b"definitely not gzip", 200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}),
], ids=["html", "half-json", "bad-gzip"])
def test_a_2xx_body_that_cannot_be_read_as_json_is_retried_never_a_crash(bad):
    app, calls = garbled_nav(2, bad)
    with serving(app) as base:
        client = NavHttpClient(base, DEFAULT_TOKEN, sleep=lambda s: None, timeout=(1, 2), retries=3)
        page = client.fetch_order_lines(None, 10)
        assert page.lines == [] and page.next_cursor == "7" and len(calls) == 3
        calls.clear()
        with pytest.raises(NavUnavailable):
            NavHttpClient(base, DEFAULT_TOKEN, sleep=lambda s: None, timeout=(1, 2), retries=1).fetch_order_lines(None, 1)
        assert len(calls) == 2


# ------------------------------------------------------------------ control endpoints

def test_reset_returns_the_fake_to_its_seeded_state(fake):
    state = fake["state"]
    initial_lines = {k: {f: v for f, v in r.items() if f != "_seq"} for k, r in state.lines.items()}
    initial_loans = json.loads(json.dumps(state.loans))
    client = make_client(fake)
    _, loan = loan_on(fake)
    client.submit_part_order(order_for(loan), "k-reset")
    client.report_return(loan["artikkelNr"], loan["serieNr"], "tilbake", "r-reset")
    post_control(fake, "generate-order-lines", {"count": 50})
    post_control(fake, "approve", {"fnr": some_fnr(), "hmsnr": "177946", "description": "Rollator"})
    control(fake, fail_every=7, truncate_every=9, duplicate_lines=True)
    fake["clock"].advance(hours=3)
    last_seq = state.seq

    r = requests.post(f"{fake['base']}/_control/reset", timeout=5)
    assert r.status_code == 200 and r.json()["order_lines"] == 23
    assert {k: {f: v for f, v in r.items() if f != "_seq"} for k, r in state.lines.items()} == initial_lines
    assert state.loans == initial_loans
    assert min(r["_seq"] for r in state.lines.values()) > last_seq  # sequences never go back
    s = stats(fake)
    assert (s["requests"], s["saker"], s["returns"], s["order_lines"], s["by_endpoint"]) == (0, 0, 0, 23, {})
    assert control(fake)["fail_every"] == 0 and not control(fake)["duplicate_lines"]
    # The idempotency store is empty: the old key with a different order is a new order, not a 422.
    assert client.submit_part_order(order_for(loan_on(fake)[1]), "k-reset").saksnummer == 1000
    lines, _, _ = drain(client, limit=50)
    assert len(lines) == 23


def test_approving_a_loan_creates_the_order_line_and_the_loan_and_parts_can_then_be_ordered(fake):
    fnr = some_fnr()
    r = post_control(fake, "approve", {"fnr": fnr, "hmsnr": "236958", "description": "Panthera U3 Light rullestol",
                                       "category_num": "12220301", "category_description": "Manuelle rullestoler"})
    assert r.status_code == 201, r.text
    record, loan = r.json()["ordrelinje"], r.json()["loan"]
    serienr = loan["serieNr"]
    assert len(serienr) == 6 and serienr.isdigit()
    line = OrderLine.from_wire(record)
    assert (line.user_item_type, line.quantity, line.serie_nummer_liste, line.account_number, line.status) == (
        "Individstyrt hjelpemiddel", 1, (serienr,), fnr, "BOOKED")
    assert line.to_municipal_address and line.shipment_number and line.referanse_nummer.startswith("HMS-")
    assert (loan["utlånsType"], loan["artikkelStatus"], loan["innleveringsdato"]) == ("P", "I utlån", None)
    assert loan["ordrenummer"] == line.ordre_number and loan["datoUtsendelse"] == "2024-03-04 08:00:00"

    client = make_client(fake)
    lines, _, _ = drain(client, limit=50)
    assert [l for l in lines if l.key == line.key] == [line]
    loans = client.citizen_loans(fnr)
    assert [(l.artikkel_nr, l.serie_nr) for l in loans] == [("236958", serienr)]
    order = order_for(loan)
    assert client.submit_part_order(order, str(uuid.uuid4())).delbestilling_sak.delbestilling == order

    again = post_control(fake, "approve", {"fnr": fnr, "hmsnr": "236958", "description": "x", "serienr": serienr})
    assert again.status_code == 409  # that device is already on loan
    chosen = post_control(fake, "approve", {"fnr": fnr, "hmsnr": "177946", "description": "Rollator",
                                            "serienr": "123456", "ordre_number": "4399999", "status": "SHIPPED"})
    assert chosen.status_code == 201
    assert (chosen.json()["ordrelinje"]["OrdreNumber"], chosen.json()["ordrelinje"]["Status"]) == ("4399999", "SHIPPED")


@pytest.mark.parametrize("change", [
    {"fnr": "12345678901"}, {"hmsnr": "23695"}, {"description": ""}, {"category_num": "122203"},
    {"serienr": "12a456"},
])
def test_approve_refuses_bad_input_with_a_message(fake, change):
    body = {"fnr": some_fnr(), "hmsnr": "236958", "description": "Rullestol", **change}
    r = post_control(fake, "approve", body)
    assert r.status_code == 400 and r.json()["error"]
    assert stats(fake)["order_lines"] == 23


def test_control_loans_adds_active_loans_for_a_citizen(fake):
    fnr = some_fnr(11)
    r = post_control(fake, "loans", {"fnr": fnr, "loans": [
        {"artikkelNr": "291003", "artikkelBeskrivelse": "Seng Opus 90EW", "serieNr": "445566",
         "kategoriNummer": "18121501", "innleveringsdato": "2024-01-01 10:00:00"},
        {"artikkelNr": "104237", "artikkelBeskrivelse": "Dusjkrakk"}]})
    assert r.status_code == 201, r.text
    loans = make_client(fake).citizen_loans(fnr)
    assert [(l.artikkel_nr, l.serie_nr, l.innleveringsdato) for l in loans] == [
        ("291003", "445566", None), ("104237", None, None)]
    assert post_control(fake, "loans", {"fnr": "12345678901", "loans": [{"artikkelNr": "291003"}]}).status_code == 400
    missing = post_control(fake, "loans", {"fnr": fnr, "loans": [{"serieNr": "445566"}]})
    assert missing.status_code == 400 and "artikkelNr" in missing.json()["error"]


def test_stats_report_order_lines_returns_and_successful_part_orders(fake):
    client = make_client(fake)
    fnr, loan = loan_on(fake)
    order = order_for(loan)
    client.submit_part_order(order, "s-a")
    client.submit_part_order(order, "s-a")  # a replay is not a second success
    client.report_return(loan["artikkelNr"], loan["serieNr"], "", "s-r")
    s = stats(fake)
    assert s["order_lines"] == 23 and s["returns"] == 1 and s["saker"] == 1
    assert s["successes"] == {"POST /delbestilling": 1, "POST /returns": 1}
    assert s["by_endpoint"]["POST /delbestilling"] == 2


# ------------------------------------------------------------------ returns and part-order rules

def test_report_return_is_idempotent_and_records_whether_the_device_is_kept_for_reuse(fake):
    client = make_client(fake)
    fnr, loan = loan_on(fake)
    client.report_return(loan["artikkelNr"], loan["serieNr"], "Hentet, god stand", "ret-1", kept_for_reuse=True)
    client.report_return(loan["artikkelNr"], loan["serieNr"], "Hentet, god stand", "ret-1", kept_for_reuse=True)
    returns = requests.get(f"{fake['base']}/_control/returns", timeout=5).json()
    assert len(returns) == 1
    assert {k: returns[0][k] for k in ("hmsnr", "serienr", "merknad", "beholdesForGjenbruk", "fnr")} == {
        "hmsnr": loan["artikkelNr"], "serienr": loan["serieNr"], "merknad": "Hentet, god stand",
        "beholdesForGjenbruk": True, "fnr": fnr}
    assert loan["innleveringsdato"] == "2024-03-04 08:00:00"
    with pytest.raises(IngetUtlan):
        client.report_return(loan["artikkelNr"], loan["serieNr"], "igjen", "ret-2")
    with pytest.raises(ValueError):
        client.report_return(loan["artikkelNr"], loan["serieNr"], "uten nøkkel", "")


def test_a_return_whose_answer_is_cut_off_is_retried_and_recorded_once(fake):
    _, loan = loan_on(fake)
    control(fake, truncate_every=2)  # the lookup passes, the first return answer is cut off
    client = make_client(fake)
    client.citizen_loans(loan_on(fake)[0])
    client.report_return(loan["artikkelNr"], loan["serieNr"], "", "ret-t")
    assert stats(fake)["returns"] == 1 and stats(fake)["by_endpoint"]["POST /returns"] == 2


def test_maks_antall_is_enforced_locally_and_at_nav(fake):
    _, loan = loan_on(fake)
    too_many = (DelLinje(Del("150817", 'Dekk 24"', "Dekk", maks_antall=2), 1),
                DelLinje(Del("150818", "Slange 24\"", "Slange", maks_antall=2), 3))
    with pytest.raises(PartOrderInvalid) as exc:
        validate_part_order(order_for(loan, deler=too_many))
    assert exc.value.field == "deler[1].antall"
    raw = order_for(loan, deler=too_many).to_wire()
    r = requests.post(f"{fake['base']}/delbestilling", json=raw, timeout=5,
                      headers={**AUTH, "Idempotency-Key": "m-1"})
    assert r.status_code == 400 and r.json()["valideringsfeil"][0]["felt"] == "deler[1].antall"
    at_limit = (DelLinje(Del("150817", 'Dekk 24"', "Dekk", maks_antall=2), 2),
                DelLinje(Del("150818", "Slange", "Slange"), 5))  # no maksAntall: no limit
    assert make_client(fake).submit_part_order(order_for(loan, deler=at_limit), "m-2").saksnummer
