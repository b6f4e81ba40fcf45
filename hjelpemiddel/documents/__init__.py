"""Printable documents built from plain data: labels for devices and locations."""
