"""Label documents: barcodes that scan, text that stays on its label, ZPL that cannot be hijacked."""
from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.support import decode_pages, page_words, pdf_text

from hjelpemiddel.documents.labels import (
    LabelData,
    LabelLayout,
    build_labels_pdf,
    build_labels_zpl,
    load_layout,
    load_layouts,
)

LAYOUT_DIR = Path(__file__).resolve().parents[2] / "labels"
MM = 72 / 25.4


@pytest.fixture(scope="module")
def layouts() -> dict[str, LabelLayout]:
    return load_layouts(LAYOUT_DIR)


def make_labels(count: int, first: int = 1) -> list[LabelData]:
    return [
        LabelData(
            code=f"{'LOK' if number % 5 == 0 else 'HJM'}{number:08d}",
            title=f"Rollator Topro Olympos M nr {number}",
            lines=("Serienr 12345", "ISO 12 06 06", "Eier: NAV"),
            footer="Hjelpemiddellageret",
        )
        for number in range(first, first + count)
    ]


# --- layouts ------------------------------------------------------------------------------------

def test_every_shipped_layout_loads_under_its_file_name(layouts: dict[str, LabelLayout]) -> None:
    assert {"a4-3x8", "roll-57x32", "zebra-57x32"} <= set(layouts)
    assert layouts["a4-3x8"].kind == "pdf" and layouts["a4-3x8"].labels_per_page == 24
    assert layouts["roll-57x32"].kind == "pdf" and layouts["roll-57x32"].labels_per_page == 1
    assert (layouts["roll-57x32"].page_width, layouts["roll-57x32"].page_height) == (57, 32)
    assert layouts["zebra-57x32"].kind == "zpl" and layouts["zebra-57x32"].dpi == 203


DELETE = object()


@pytest.mark.parametrize(
    ("layout_name", "key", "value"),
    [
        ("a4-3x8", "label.width", DELETE),
        ("a4-3x8", "label.height", -37),
        ("a4-3x8", "label.height", "37"),
        ("a4-3x8", "barcode", DELETE),
        ("a4-3x8", "barcode.module", 0),
        ("a4-3x8", "barcode.min_module", 0.5),
        ("a4-3x8", "barcode.quiet_zone", 5),
        ("a4-3x8", "barcode.height", 30),
        ("a4-3x8", "grid.columns", 4),
        ("a4-3x8", "grid.rows", 9),
        ("a4-3x8", "grid.top", -1),
        ("a4-3x8", "grid.pitch_x", 60),
        ("a4-3x8", "title.width", 80),
        ("a4-3x8", "title.min_font_size", 12),
        ("a4-3x8", "title.font", "Comic Sans"),
        ("a4-3x8", "title.align", "middle"),
        ("a4-3x8", "title.size", 10),
        ("a4-3x8", "lines.max_lines", 20),
        ("a4-3x8", "footer.y", 40),
        ("a4-3x8", "kind", "png"),
        ("a4-3x8", "unit", "dots"),
        ("roll-57x32", "page", {"width": 50, "height": 32}),
        ("roll-57x32", "code_text", DELETE),
        ("zebra-57x32", "dpi", DELETE),
        ("zebra-57x32", "label.width", 456.5),
        ("zebra-57x32", "barcode.module", 1.5),
        ("zebra-57x32", "title.font", "Helvetica"),
        ("zebra-57x32", "grid", {"columns": 1, "rows": 1, "left": 0, "top": 0, "pitch_x": 456}),
    ],
)
def test_bad_layout_data_is_refused_naming_the_file_and_key(
    tmp_path: Path, layout_name: str, key: str, value: Any
) -> None:
    data = json.loads((LAYOUT_DIR / f"{layout_name}.json").read_text(encoding="utf-8"))
    broken = copy.deepcopy(data)
    *parents, leaf = key.split(".")
    target = broken
    for parent in parents:
        target = target[parent]
    if value is DELETE:
        del target[leaf]
    else:
        target[leaf] = value
    path = tmp_path / f"{layout_name}.json"
    path.write_text(json.dumps(broken), encoding="utf-8")

    with pytest.raises(ValueError) as error:
        load_layout(path)

    assert f"{layout_name}.json" in str(error.value)
    assert f"'{key}'" in str(error.value)


def test_a_layout_file_that_is_not_json_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"kind": "pdf",', encoding="utf-8")
    with pytest.raises(ValueError, match="broken.json"):
        load_layout(path)


def test_a_layout_folder_without_layouts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no label layout files"):
        load_layouts(tmp_path)


# --- PDF ----------------------------------------------------------------------------------------

def test_every_barcode_on_an_a4_sheet_decodes_to_its_device_code(
    layouts: dict[str, LabelLayout], tmp_path: Path
) -> None:
    labels = make_labels(30)
    pdf = build_labels_pdf(labels, layouts["a4-3x8"], start_position=5)

    pages = decode_pages(pdf, tmp_path)

    assert [len(codes) for codes in pages] == [19, 11]
    assert sorted(code for codes in pages for code in codes) == sorted(label.code for label in labels)


def test_every_roll_label_decodes_to_its_own_code_on_its_own_page(
    layouts: dict[str, LabelLayout], tmp_path: Path
) -> None:
    labels = make_labels(6)
    pdf = build_labels_pdf(labels, layouts["roll-57x32"])

    assert decode_pages(pdf, tmp_path) == [[label.code] for label in labels]


def test_a_code_needing_narrower_bars_still_decodes(layouts: dict[str, LabelLayout], tmp_path: Path) -> None:
    # Letters only: no compact digit pairs, so the bars shrink towards min_module.
    labels = [LabelData(code="ABCDEFGHIJKLMNO", title="Lang kode")]
    pdf = build_labels_pdf(labels, layouts["roll-57x32"])

    assert decode_pages(pdf, tmp_path) == [["ABCDEFGHIJKLMNO"]]


def test_start_position_leaves_the_first_slots_of_the_first_sheet_empty(
    layouts: dict[str, LabelLayout], tmp_path: Path
) -> None:
    layout = layouts["a4-3x8"]
    labels = make_labels(3)
    pdf = build_labels_pdf(labels, layout, start_position=4)  # second row, middle column

    ((_, _, words),) = page_words(pdf, tmp_path)

    first = next(word for word in words if word.text == labels[0].code)
    column = int(first.x_min / (layout.grid.pitch_x * MM))
    row = int((first.y_min - layout.grid.top * MM) / (layout.grid.pitch_y * MM))
    assert (row, column) == (1, 1)


def test_the_next_sheet_starts_at_its_first_slot(layouts: dict[str, LabelLayout], tmp_path: Path) -> None:
    labels = make_labels(3)
    pdf = build_labels_pdf(labels, layouts["a4-3x8"], start_position=23)

    pages = page_words(pdf, tmp_path)

    assert len(pages) == 2
    second_page_codes = [word for word in pages[1][2] if word.text in {label.code for label in labels}]
    assert min(word.y_min for word in second_page_codes) < 37 * MM


def test_title_and_human_readable_code_are_text_in_the_pdf(
    layouts: dict[str, LabelLayout], tmp_path: Path
) -> None:
    label = LabelData("HJM00000125", "Seng Økonomi æøå ÆØÅ", lines=("Serienr 12345",), footer="Lageret")
    for name in ("a4-3x8", "roll-57x32"):
        text = pdf_text(build_labels_pdf([label], layouts[name]), tmp_path)
        assert "Seng Økonomi æøå ÆØÅ" in text
        assert "HJM00000125" in text
        assert "Serienr 12345" in text
        assert "Lageret" in text


def test_a_slightly_too_long_title_is_shrunk_and_kept_whole(
    layouts: dict[str, LabelLayout], tmp_path: Path
) -> None:
    title = "Rollator Topro Olympos M med sete og kurv"
    text = pdf_text(build_labels_pdf([LabelData("HJM00000125", title)], layouts["roll-57x32"]), tmp_path)

    assert title in text
    assert "…" not in text


@pytest.mark.parametrize("layout_name", ["a4-3x8", "roll-57x32"])
def test_far_too_long_texts_are_cut_with_an_ellipsis_and_stay_inside_their_label(
    layouts: dict[str, LabelLayout], tmp_path: Path, layout_name: str
) -> None:
    layout = layouts[layout_name]
    long_text = "Elektrisk hev- og senkbar omsorgsseng med sengehest, løftebøyle og trykkavlastende madrass "
    labels = [
        LabelData(f"HJM{number:08d}", long_text, lines=(long_text,) * 4, footer=long_text)
        for number in range(1, 8)
    ]
    pdf = build_labels_pdf(labels, layout, start_position=0)
    label_width, label_height = layout.label_width * MM, layout.label_height * MM
    left, top = layout.grid.left * MM, layout.grid.top * MM
    pitch_x, pitch_y = layout.grid.pitch_x * MM, layout.grid.pitch_y * MM

    pages = page_words(pdf, tmp_path)

    assert "…" in pdf_text(pdf, tmp_path)
    for _, _, words in pages:
        for word in words:
            column = int((word.x_min - left) // pitch_x)
            row = int((word.y_min - top) // pitch_y)
            cell_left, cell_top = left + column * pitch_x, top + row * pitch_y
            assert word.x_max <= cell_left + label_width + 0.5, word
            assert word.y_max <= cell_top + label_height + 0.5, word


def test_surplus_lines_are_joined_into_the_last_line(layouts: dict[str, LabelLayout], tmp_path: Path) -> None:
    label = LabelData("HJM00000125", "Rullestol", lines=("Serienr 1", "ISO 12 22 03", "Eier: NAV"))
    text = pdf_text(build_labels_pdf([label], layouts["roll-57x32"]), tmp_path)  # max_lines 2

    assert "Serienr 1" in text
    assert "ISO 12 22 03 · Eier: NAV" in text


def test_sami_letters_outside_the_pdf_font_lose_their_marks_instead_of_printing_as_boxes(
    layouts: dict[str, LabelLayout], tmp_path: Path
) -> None:
    label = LabelData("LOK00000034", "Čáhcesuolu lager ŋ đ ŧ", footer="Guovdageaidnu")
    text = pdf_text(build_labels_pdf([label], layouts["roll-57x32"]), tmp_path)

    assert "Cáhcesuolu lager n d t" in text
    assert "Guovdageaidnu" in text


def test_the_same_labels_give_the_same_pdf_bytes(layouts: dict[str, LabelLayout]) -> None:
    labels = make_labels(5)
    assert build_labels_pdf(labels, layouts["a4-3x8"]) == build_labels_pdf(labels, layouts["a4-3x8"])


def test_a_code_too_long_for_the_barcode_box_is_refused(layouts: dict[str, LabelLayout]) -> None:
    label = LabelData("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "For lang kode")
    with pytest.raises(ValueError, match="too long for layout 'roll-57x32'"):
        build_labels_pdf([label], layouts["roll-57x32"])
    with pytest.raises(ValueError, match="too long for layout 'zebra-57x32'"):
        build_labels_zpl([label], layouts["zebra-57x32"])


@pytest.mark.parametrize(
    ("layout_name", "start_position"), [("a4-3x8", -1), ("a4-3x8", 24), ("roll-57x32", 1)]
)
def test_a_start_position_outside_the_first_page_is_refused(
    layouts: dict[str, LabelLayout], layout_name: str, start_position: int
) -> None:
    with pytest.raises(ValueError, match="start_position"):
        build_labels_pdf(make_labels(1), layouts[layout_name], start_position=start_position)


def test_a_layout_of_the_other_kind_is_refused(layouts: dict[str, LabelLayout]) -> None:
    with pytest.raises(ValueError, match="zpl layout"):
        build_labels_pdf(make_labels(1), layouts["zebra-57x32"])
    with pytest.raises(ValueError, match="pdf layout"):
        build_labels_zpl(make_labels(1), layouts["roll-57x32"])


def test_an_empty_label_list_is_refused(layouts: dict[str, LabelLayout]) -> None:
    with pytest.raises(ValueError, match="no labels"):
        build_labels_pdf([], layouts["a4-3x8"])
    with pytest.raises(ValueError, match="no labels"):
        build_labels_zpl([], layouts["zebra-57x32"])


@pytest.mark.parametrize("code", ["", "HJM 125", "HJM^XZ", "HJM~JA", "HJMø125", "HJM\\125", "HJM\n125"])
def test_a_label_code_outside_the_safe_characters_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="label code"):
        LabelData(code=code, title="Seng")


# --- ZPL ----------------------------------------------------------------------------------------

ZPL_COMMANDS = {"XA", "XZ", "CI", "PW", "LL", "LH", "FO", "A0", "FB", "FH", "FD", "FS", "BY", "BC"}


def zpl_fields(zpl: str) -> list[str]:
    """Field data of every ^FD, with ^FH hex escapes decoded."""
    fields = []
    for raw in re.findall(r"\^FD(.*?)\^FS", zpl, re.S):
        data = re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), raw.encode("utf-8"))
        fields.append(data.decode("utf-8"))
    return fields


def test_zpl_has_one_utf8_format_per_label_sized_from_the_layout(layouts: dict[str, LabelLayout]) -> None:
    layout = layouts["zebra-57x32"]
    labels = make_labels(7)
    zpl = build_labels_zpl(labels, layout).decode("utf-8")

    formats = re.findall(r"\^XA.*?\^XZ", zpl, re.S)
    assert len(formats) == zpl.count("^XA") == zpl.count("^XZ") == len(labels)
    for label, block in zip(labels, formats):
        assert "^CI28" in block
        assert f"^PW{layout.label_width}" in block
        assert f"^LL{layout.label_height}" in block
        assert label.title in zpl_fields(block)


def test_zpl_draws_the_barcode_with_the_printers_own_code128_never_an_image(
    layouts: dict[str, LabelLayout],
) -> None:
    layout = layouts["zebra-57x32"]
    zpl = build_labels_zpl(make_labels(3), layout).decode("utf-8")

    assert "^GF" not in zpl and "~DG" not in zpl
    for label in make_labels(3):
        assert re.search(rf"\^BY{layout.barcode.module}\^FO\d+,\d+\^BCN,\d+,N,N,N,A\^FD{label.code}\^FS", zpl)


@pytest.mark.parametrize(
    "title",
    [
        "Seng ^XZ^XA^FO0,0^GB456,256,256^FS",
        "Løfter ~JA~PS",
        "Hex _5E_7E og_",
        "Bak\\&skråstrek",
        "Linje\nskift\r^XZ",
    ],
)
def test_a_zpl_title_with_control_characters_cannot_inject_printer_commands(
    layouts: dict[str, LabelLayout], title: str
) -> None:
    label = LabelData("HJM00000125", title, footer=title)
    zpl = build_labels_zpl([label], layouts["zebra-57x32"]).decode("utf-8")

    assert "~" not in zpl
    assert zpl.count("^XA") == zpl.count("^XZ") == 1
    assert set(re.findall(r"\^([A-Z0-9@]{2})", zpl)) <= ZPL_COMMANDS
    assert " ".join(title.split()) in zpl_fields(zpl)


def test_a_backslash_in_a_centred_zpl_field_cannot_start_a_new_line(layouts: dict[str, LabelLayout]) -> None:
    layout = layouts["zebra-57x32"]
    centred = replace(layout, title=replace(layout.title, align="center"))
    zpl = build_labels_zpl([LabelData("HJM00000125", "Bak\\&skråstrek")], centred).decode("utf-8")

    # Inside ^FB a lone backslash followed by & is a line break; doubled it prints one backslash.
    assert re.search(r"\^FB\d+,1,0,C\^FH\^FDBak\\\\&skråstrek\^FS", zpl)


def test_zpl_keeps_norwegian_letters_as_utf8(layouts: dict[str, LabelLayout]) -> None:
    zpl = build_labels_zpl([LabelData("HJM00000125", "Dusjstol Ærlig Øvre Åsen")], layouts["zebra-57x32"])

    assert "Dusjstol Ærlig Øvre Åsen".encode("utf-8") in zpl


def test_a_far_too_long_zpl_title_is_cut_with_an_ellipsis(layouts: dict[str, LabelLayout]) -> None:
    layout = layouts["zebra-57x32"]
    title = "Elektrisk hev- og senkbar omsorgsseng med sengehest og løftebøyle " * 3
    zpl = build_labels_zpl([LabelData("HJM00000125", title)], layout).decode("utf-8")

    shown = zpl_fields(zpl)[0]
    assert shown.endswith("…")
    assert title.startswith(shown[:-1])
    assert f"^A0N,{layout.title.min_font_size},{layout.title.min_font_size}" in zpl
