"""Device and location labels: PDF sheets and rolls (reportlab) and native ZPL II for Zebra printers.

The builders are pure: label data and a layout in, document bytes out. Every size and position
comes from the layout files in the repository's ``labels/`` folder (see ``labels/README.md``).

``layout`` holds what a label carries and where it goes (and the geometry both builders share),
``files`` reads and checks the layout files, ``pdf`` and ``zpl`` build the documents.
"""
from .files import load_layout, load_layouts
from .layout import BarcodeBox, Grid, LabelData, LabelLayout, TextBox
from .pdf import build_labels_pdf
from .zpl import build_labels_zpl

__all__ = [
    "BarcodeBox", "Grid", "LabelData", "LabelLayout", "TextBox",
    "build_labels_pdf", "build_labels_zpl", "load_layout", "load_layouts",
]
