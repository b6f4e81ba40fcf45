"""Run documents: the pick list (plukkliste) and delivery log (kjørebok) scan, read and stay on the page."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from tests.support import decode_pages, page_words, pdf_text

from hjelpemiddel.core.ids import make_code
from hjelpemiddel.documents.delivery_log import build_delivery_log_pdf
from hjelpemiddel.documents.picklist import build_picklist_pdf
from hjelpemiddel.documents.runs import DeliveryLogData, LogItem, LogStop, PickLine, PickListData

MM = 72 / 25.4
MARGIN = 15 * MM

FIRST_NAMES = ("Kari", "Ola", "Åse", "Bjørn", "Ingrid", "Pål")
LAST_NAMES = ("Nordmann", "Østby", "Ærø", "Sæther", "Løvås", "Hågensen")
PRODUCTS = (
    "Rollator Topro Olympos M", "Elektrisk seng Opus 4", "Dusjkrakk med rygg", "Toalettforhøyer 10 cm",
    "Manuell rullestol Etac Cross 5", "Personløfter Molift Smart 150",
)
ZONES = ("Sone A – senger og løftere", "Sone B – rullestoler", "Sone C – småhjelpemidler")
KINDS = (("Levering", "Lever"), ("Henting", "Hent"), ("Reparasjon", "Reparer"))


# --- a small factory ----------------------------------------------------------------------------

def name_of(stop: int) -> str:
    return f"{FIRST_NAMES[stop % 6]} {LAST_NAMES[(stop + stop // 6) % 6]}"  # 36 different names


def code_of(device: int) -> str:
    return make_code("HJM", 1000 + device)


def items_per_stop(stops: int, devices: int) -> list[int]:
    return [devices // stops + (1 if stop < devices % stops else 0) for stop in range(stops)]


def make_pick_list(stops: int = 12, devices: int = 30, **overrides) -> PickListData:
    lines = []
    device = 0
    for stop, count in enumerate(items_per_stop(stops, devices) if stops else []):
        for _ in range(count):
            zone = device * len(ZONES) // devices
            lines.append(PickLine(
                barcode=code_of(device),
                product=PRODUCTS[device % len(PRODUCTS)],
                location_code=f"{'ABC'[zone]}-{device % 20 + 1:02d}-{device % 4 + 1}",
                zone=ZONES[zone],
                stop_sequence=stop + 1,
                stop_name=name_of(stop),
                accessories=("Brems", "Kurv") if device % 3 == 0 else (),
                picked=device % 4 == 0,
            ))
            device += 1
    # Walking order: by zone, as the caller would sort it.
    lines.sort(key=lambda line: (line.zone, line.location_code))
    data = PickListData(
        title="Plukkliste – kjørerunde 12", run_date="24.11.2026", driver="Tor Kjøresen", van="EL 12345",
        depot_name="Hjelpemiddellageret Nordre Follo", printed_at=datetime(2026, 11, 24, 7, 5), lines=tuple(lines),
    )
    return replace(data, **overrides)


def make_stop(sequence: int, devices: range, **overrides) -> LogStop:
    kind, action = KINDS[(sequence - 1) % 3]
    stop = LogStop(
        sequence=sequence, kind=kind, name=name_of(sequence - 1),
        address=f"Storgata {sequence} B", postcode_city="1400 Ski", phone="912 34 567",
        contact="Datter Eva, 900 00 000" if sequence % 2 else "",
        access_notes=f"Nøkkelboks kode {1000 + sequence}" if sequence % 3 == 1 else "",
        time_window="10:00–12:00" if sequence % 2 else "",
        items=tuple(LogItem(barcode=code_of(device), product=PRODUCTS[device % len(PRODUCTS)], action=action)
                    for device in devices),
        urgent=sequence == 4,
    )
    return replace(stop, **overrides)


def make_log(stops: int = 12, devices: int = 30, **overrides) -> DeliveryLogData:
    made, first = [], 0
    for index, count in enumerate(items_per_stop(stops, devices) if stops else []):
        made.append(make_stop(index + 1, range(first, first + count)))
        first += count
    data = DeliveryLogData(
        title="Kjørebok – kjørerunde 12", run_date="24.11.2026", driver="Tor Kjøresen", van="EL 12345",
        depot_name="Hjelpemiddellageret Nordre Follo", printed_at=datetime(2026, 11, 24, 7, 5), stops=tuple(made),
    )
    return replace(data, **overrides)


# --- reading the PDFs back ----------------------------------------------------------------------

def assert_words_stay_apart_and_inside_the_margins(pdf: bytes, tmp_path: Path) -> None:
    """No word reaches into the page margins or into another word: nothing overflows its box."""
    for width, _height, words in page_words(pdf, tmp_path):
        for word in words:
            assert MARGIN - 1 <= word.x_min and word.x_max <= width - MARGIN + 1, word
        for index, word in enumerate(words):
            for other in words[index + 1:]:
                apart = (word.x_max <= other.x_min + 0.5 or other.x_max <= word.x_min + 0.5
                         or word.y_max <= other.y_min + 0.5 or other.y_max <= word.y_min + 0.5)
                assert apart, (word, other)


def page_texts(pdf: bytes, tmp_path: Path) -> list[str]:
    pages = pdf_text(pdf, tmp_path).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def assert_in_order(text: str, needles: list[str]) -> None:
    positions = [text.find(needle) for needle in needles]
    assert -1 not in positions, [needle for needle, at in zip(needles, positions) if at == -1]
    assert positions == sorted(positions)


def all_codes_pick(data: PickListData) -> list[str]:
    return [line.barcode for line in data.lines]


def all_codes_log(data: DeliveryLogData) -> list[str]:
    return [item.barcode for stop in data.stops for item in stop.items]


# --- the pick list ------------------------------------------------------------------------------

def test_every_device_barcode_on_a_multi_page_pick_list_scans_exactly_once(tmp_path: Path) -> None:
    data = make_pick_list(12, 30)
    pages = decode_pages(build_picklist_pdf(data), tmp_path)
    assert len(pages) > 1
    assert Counter(code for page in pages for code in page) == Counter(all_codes_pick(data))


def test_the_pick_list_shows_lines_in_walking_order_under_their_zones(tmp_path: Path) -> None:
    data = make_pick_list(12, 30)
    text = pdf_text(build_picklist_pdf(data), tmp_path)
    assert_in_order(text, [line.barcode for line in data.lines])
    assert_in_order(text, [line.location_code for line in data.lines])
    assert_in_order(text, list(ZONES))
    for line in data.lines:
        assert f"Stopp {line.stop_sequence}" in text and line.stop_name in text
    assert "Tilbehør: Brems, Kurv" in text


def test_a_realistic_pick_list_and_delivery_log_have_no_overlapping_text(tmp_path: Path) -> None:
    assert_words_stay_apart_and_inside_the_margins(build_picklist_pdf(make_pick_list(12, 30)), tmp_path)
    assert_words_stay_apart_and_inside_the_margins(build_delivery_log_pdf(make_log(12, 30)), tmp_path)


def test_the_pick_list_header_names_the_run_driver_van_depot_and_device_count(tmp_path: Path) -> None:
    text = pdf_text(build_picklist_pdf(make_pick_list(12, 30)), tmp_path)
    for expected in ("Plukkliste – kjørerunde 12", "24.11.2026", "Tor Kjøresen", "EL 12345",
                     "Hjelpemiddellageret Nordre Follo", "24.11.2026 kl. 07:05", "30 hjelpemidler"):
        assert expected in text


def test_every_pick_list_page_repeats_the_column_heads_and_is_numbered(tmp_path: Path) -> None:
    pages = page_texts(build_picklist_pdf(make_pick_list(12, 30)), tmp_path)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Lokasjon" in page and "Strekkode" in page and "Stopp / bruker" in page
        assert f"Side {number} av {len(pages)}" in page


def test_a_zone_carried_over_to_the_next_page_gets_its_heading_again(tmp_path: Path) -> None:
    data = make_pick_list(12, 30, lines=tuple(replace(line, zone="Sone A") for line in make_pick_list(12, 30).lines))
    pages = page_texts(build_picklist_pdf(data), tmp_path)
    assert len(pages) >= 2
    assert "Sone A" in pages[0] and "(forts.)" not in pages[0]
    assert all("Sone A (forts.)" in page for page in pages[1:])


def test_picked_lines_are_ticked_and_marked_picked_and_the_others_are_not(tmp_path: Path) -> None:
    data = make_pick_list(12, 30)
    picked = {line.barcode for line in data.lines if line.picked}
    assert 0 < len(picked) < len(data.lines)
    marked = set()
    for _width, _height, words in page_words(build_picklist_pdf(data), tmp_path):
        codes = [word for word in words if word.text.startswith("HJM")]
        for mark in (word for word in words if word.text == "Plukket"):
            # The mark sits under the box, level with its own line's code, well inside the row.
            nearest = min(codes, key=lambda code: abs(code.y_min - mark.y_min))
            assert abs(nearest.y_min - mark.y_min) < 6 * MM
            marked.add(nearest.text)
    assert marked == picked
    assert f"{len(picked)} plukket" in pdf_text(build_picklist_pdf(data), tmp_path)


def test_an_empty_pick_list_is_one_page_saying_there_is_nothing_to_pick(tmp_path: Path) -> None:
    pdf = build_picklist_pdf(make_pick_list(0, 0))
    assert pdf.startswith(b"%PDF-")
    pages = page_texts(pdf, tmp_path)
    assert len(pages) == 1
    assert "Ingen hjelpemidler å plukke" in pages[0] and "Side 1 av 1" in pages[0]
    assert decode_pages(pdf, tmp_path) == [[]]


def test_far_too_long_pick_list_texts_are_cut_with_an_ellipsis_and_stay_on_the_page(tmp_path: Path) -> None:
    long = "Veldig langt navn med æøå " * 20
    base = make_pick_list(3, 6)
    lines = tuple(
        replace(line, product=long, stop_name=long, accessories=(long,) * 4, location_code="HYLLE-" + "9" * 60,
                zone=long)
        for line in base.lines
    )
    data = replace(base, lines=lines, title=long, driver=long, van=long, depot_name=long)
    pdf = build_picklist_pdf(data)
    text = pdf_text(pdf, tmp_path)
    assert "…" in text
    assert long.strip() not in " ".join(text.split())
    assert_words_stay_apart_and_inside_the_margins(pdf, tmp_path)
    assert Counter(code for page in decode_pages(pdf, tmp_path) for code in page) == Counter(all_codes_pick(data))


def test_a_pick_line_barcode_code128_cannot_carry_is_refused() -> None:
    data = make_pick_list(1, 1)
    with pytest.raises(ValueError, match="Code 128"):
        build_picklist_pdf(replace(data, lines=(replace(data.lines[0], barcode="HJMæøå"),)))


# --- the delivery log ---------------------------------------------------------------------------

def test_every_device_barcode_in_a_multi_page_delivery_log_scans_exactly_once(tmp_path: Path) -> None:
    data = make_log(12, 30)
    pages = decode_pages(build_delivery_log_pdf(data), tmp_path)
    assert len(pages) > 1
    assert Counter(code for page in pages for code in page) == Counter(all_codes_log(data))


def test_the_delivery_log_shows_stops_in_order_with_their_codes_and_access_notes(tmp_path: Path) -> None:
    data = make_log(12, 30)
    text = pdf_text(build_delivery_log_pdf(data), tmp_path)
    assert_in_order(text, [stop.name for stop in data.stops])
    assert_in_order(text, all_codes_log(data))
    for stop in data.stops:
        assert stop.address in text and stop.phone in text
        if stop.access_notes:
            assert f"Adkomst: {stop.access_notes}" in text
        if stop.time_window:
            assert f"Kl. {stop.time_window}" in text
    for kind in ("LEVERING", "HENTING", "REPARASJON"):
        assert kind in text
    assert text.count("UTSKRIVNING") == sum(stop.urgent for stop in data.stops) == 1


def test_the_delivery_log_header_prints_given_odometer_and_times_and_leaves_the_rest_blank(tmp_path: Path) -> None:
    data = make_log(2, 2, odometer_start="123 456", departed_at="08:05")
    first = page_texts(build_delivery_log_pdf(data), tmp_path)[0]
    for label in ("Km-stand start", "Km-stand slutt", "Avreise kl.", "Retur kl."):
        assert label in first
    assert "123 456" in first and "08:05" in first
    blank = page_texts(build_delivery_log_pdf(make_log(2, 2)), tmp_path)[0]
    assert "123 456" not in blank and "08:05" not in blank


def test_outcomes_are_printed_when_set_and_boxes_to_tick_when_not(tmp_path: Path) -> None:
    base = make_log(4, 8)
    done = replace(base.stops[1], outcome="Ikke hjemme", completed_at="11:20", received_by="",
                   note="Lappen lagt i postkassen")
    delivered = replace(base.stops[2], outcome="Levert", completed_at="12:05", received_by="Åse Ærø")
    data = replace(base, stops=(base.stops[0], done, delivered, base.stops[3]))
    text = pdf_text(build_delivery_log_pdf(data), tmp_path)
    assert "Utfall: Ikke hjemme kl. 11:20" in text
    assert "Merknad: Lappen lagt i postkassen" in text
    assert "Utfall: Levert kl. 12:05 · Mottatt av: Åse Ærø" in text
    # The two stops still open get a row of boxes to tick and lines to write on each.
    for choice in ("Hentet", "Avvist", "Reparert"):
        assert text.count(choice) == 2
    assert text.count("Ikke hjemme") == 2 + 1
    assert len(re.findall(r"Mottatt av(?!:)", text)) == 2
    assert len(re.findall(r"Merknad(?!:)", text)) == 2


def test_a_stop_is_kept_whole_on_one_page_when_it_fits(tmp_path: Path) -> None:
    data = make_log(12, 30)
    pdf = build_delivery_log_pdf(data)
    pages = page_texts(pdf, tmp_path)
    assert len(pages) > 1
    for stop in data.stops:
        holding = {number for number, page in enumerate(pages) if stop.name in page}
        assert len(holding) == 1, stop.name
        page = pages[holding.pop()]
        assert all(item.barcode in page for item in stop.items), stop.name


def test_a_stop_too_long_for_a_page_continues_on_the_next_and_every_code_still_scans(tmp_path: Path) -> None:
    base = make_log(3, 3)
    huge = make_stop(2, range(100, 140))
    data = replace(base, stops=(base.stops[0], huge, base.stops[2]))
    pdf = build_delivery_log_pdf(data)
    pages = page_texts(pdf, tmp_path)
    assert any(f"{huge.name} (forts.)" in page for page in pages)
    assert Counter(code for page in decode_pages(pdf, tmp_path) for code in page) == Counter(all_codes_log(data))


def test_the_last_page_of_the_delivery_log_has_the_signature_line_and_every_page_a_number(tmp_path: Path) -> None:
    pages = page_texts(build_delivery_log_pdf(make_log(12, 30)), tmp_path)
    for number, page in enumerate(pages, start=1):
        assert f"Side {number} av {len(pages)}" in page
        assert ("Sjåførens signatur" in page) == (number == len(pages))


def test_an_empty_delivery_log_says_there_are_no_stops_and_can_still_be_signed(tmp_path: Path) -> None:
    pdf = build_delivery_log_pdf(make_log(0, 0))
    pages = page_texts(pdf, tmp_path)
    assert len(pages) == 1
    assert "Ingen stopp på denne kjørerunden" in pages[0] and "Sjåførens signatur" in pages[0]


def test_far_too_long_delivery_log_texts_are_cut_with_an_ellipsis_and_stay_on_the_page(tmp_path: Path) -> None:
    long = "Svært lang tekst med æøå ÆØÅ " * 25
    base = make_log(3, 6)
    stops = tuple(
        replace(stop, name=long, address=long, postcode_city=long, phone=long, contact=long, access_notes=long,
                time_window=long, urgent=True, kind=long,
                items=tuple(replace(item, product=long, action=long) for item in stop.items),
                **({"outcome": long, "completed_at": long, "received_by": long, "note": long} if stop.sequence == 2
                   else {}))
        for stop in base.stops
    )
    data = replace(base, stops=stops, title=long, driver=long, van=long, depot_name=long, odometer_start=long)
    pdf = build_delivery_log_pdf(data)
    text = pdf_text(pdf, tmp_path)
    assert "…" in text
    assert long.strip() not in " ".join(text.split())
    assert_words_stay_apart_and_inside_the_margins(pdf, tmp_path)
    assert Counter(code for page in decode_pages(pdf, tmp_path) for code in page) == Counter(all_codes_log(data))


def test_norwegian_letters_print_as_themselves_on_both_documents(tmp_path: Path) -> None:
    for pdf in (build_picklist_pdf(make_pick_list(6, 6)), build_delivery_log_pdf(make_log(6, 6))):
        text = pdf_text(pdf, tmp_path)
        assert "Åse" in text and "Østby" in text and "Sjåfør" in text


def test_the_same_run_gives_the_same_pdf_bytes() -> None:
    assert build_picklist_pdf(make_pick_list()) == build_picklist_pdf(make_pick_list())
    assert build_delivery_log_pdf(make_log()) == build_delivery_log_pdf(make_log())
