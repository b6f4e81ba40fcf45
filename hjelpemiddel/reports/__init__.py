"""Styringsdata: figures, charts and the monthly report, read only, above every other package."""
