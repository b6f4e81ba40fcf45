"""A camera for Chromium that films a printed label: the app's label PDF rendered by poppler, placed
large and centred on white, written as a .y4m video for ``--use-file-for-fake-video-capture``.

Y4M is raw video: a header, then per frame ``FRAME\\n`` and the Y, U and V planes (4:2:0, so U and V
at half width and height). A grey label needs only Y; U and V stay at 128 (no colour).
"""
from __future__ import annotations

from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode import createBarcodeDrawing

from ..support import run_tool

WIDTH, HEIGHT = 640, 480
FRAMES = 10  # Chromium plays the file in a loop: a few identical frames are a still camera
LABEL_WIDTH = 600  # pixels the label spans in the frame: what a phone held 15 cm from it sees


def label_video(pdf: bytes, folder: Path, width: int = LABEL_WIDTH) -> Path:
    """The first page of ``pdf``, ``width`` pixels wide, as a still 640×480 video; the .y4m file's path."""
    pdf_path = folder / "label.pdf"
    pdf_path.write_bytes(pdf)
    width, height, pixels = _render_grey(pdf_path, folder / "label", width)
    return _write_still(_centre_on_white(width, height, pixels), folder / "label.y4m")


def blank_video(folder: Path) -> Path:
    """A camera pointed at a white wall: nothing to read."""
    return _write_still(b"\xff" * (WIDTH * HEIGHT), folder / "blank.y4m")


def _write_still(frame: bytes, video: Path) -> Path:
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with video.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(FRAMES):
            out.write(b"FRAME\n")
            out.write(frame)
            out.write(chroma)
            out.write(chroma)
    return video


def symbol_pdf(symbology: str, value: str) -> bytes:
    """A 2D code (reportlab's "QR" or "ECC200DataMatrix") alone on a small PDF page."""
    return renderPDF.drawToString(createBarcodeDrawing(symbology, value=value, width=200, height=200))


def _render_grey(pdf_path: Path, stem: Path, width: int) -> tuple[int, int, bytes]:
    rendered = run_tool("pdftoppm", "-f", "1", "-l", "1", "-gray", "-singlefile",
                        "-scale-to-x", str(width), "-scale-to-y", "-1", str(pdf_path), str(stem))
    assert rendered.returncode == 0, rendered.stderr
    return _read_pgm(stem.with_suffix(".pgm").read_bytes())


def _read_pgm(data: bytes) -> tuple[int, int, bytes]:
    """Binary PGM (P5, 8 bits): the header's four fields, then width × height bytes."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position:position + 1].isspace():
            position += 1
        if data[position:position + 1] == b"#":
            position = data.index(b"\n", position) + 1
            continue
        end = position
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    assert fields[0] == b"P5" and fields[3] == b"255", fields
    width, height = int(fields[1]), int(fields[2])
    pixels = data[position + 1:position + 1 + width * height]
    assert len(pixels) == width * height
    return width, height, pixels


def _centre_on_white(width: int, height: int, pixels: bytes) -> bytes:
    assert width <= WIDTH and height <= HEIGHT, (width, height)
    left, top = (WIDTH - width) // 2, (HEIGHT - height) // 2
    frame = bytearray(b"\xff" * (WIDTH * HEIGHT))
    for row in range(height):
        start = (top + row) * WIDTH + left
        frame[start:start + width] = pixels[row * width:(row + 1) * width]
    return bytes(frame)

