"""The NAV adapter against the fake NAV server over real HTTP on loopback."""
from __future__ import annotations

import json
import threading
import uuid

import pytest
import requests
from werkzeug.serving import make_server

from integrations.nav.fake_server import DEFAULT_TOKEN, FakeClock, create_fake_nav
from integrations.nav.file_transport import OrderLineFileError, read_order_lines
from integrations.nav.http_client import NavHttpClient
from integrations.nav.port import (
    FEIL_MESSAGES, Del, Delbestilling, DelLinje, IngetUtlan, NavPort, NavRefused, NavRequestError,
    NavUnavailable, OrderLine, PartOrderInvalid, validate_part_order,
)


@pytest.fixture
def fake():
    clock = FakeClock()
    app = create_fake_nav(seed=1, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    yield {"base": base, "app": app, "state": app.extensions["fake_nav"], "clock": clock}
    server.shutdown()
    thread.join(5)


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
        {"OrdreNumber": first.ordre_number, "LineNumber": first.line_number, "Status": "SHIPPED", "Quantity": 3}])
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
    client.report_return(loan["artikkelNr"], loan["serieNr"], "Hentet hos bruker")
    assert loan["serieNr"] not in [l.serie_nr for l in client.citizen_loans(fnr)]
    with pytest.raises(IngetUtlan):
        client.report_return(loan["artikkelNr"], loan["serieNr"], "igjen")
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
