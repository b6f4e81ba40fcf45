"""Approximate postcode centres for the demo municipality (Kristiansund, 1505), so routes can be
ordered on coordinates before a geocoder is connected. Unknown postcodes fall back to postcode order."""
from __future__ import annotations

DEPOT_POSITION = (63.1115, 7.7480)

POSTCODE_CENTRES = {
    "6501": (63.1107, 7.7281), "6502": (63.1107, 7.7281), "6503": (63.1180, 7.7350), "6504": (63.1165, 7.7120),
    "6506": (63.1060, 7.7900), "6507": (63.1150, 7.7560), "6508": (63.1050, 7.7700), "6509": (63.1110, 7.7330),
    "6510": (63.1000, 7.7950), "6511": (63.1200, 7.7650), "6512": (63.1240, 7.7480), "6514": (63.0950, 7.8200),
    "6515": (63.0970, 7.8050), "6516": (63.0900, 7.8400), "6517": (63.1220, 7.6900), "6518": (63.1300, 7.7200),
    "6520": (63.0600, 7.8300), "6521": (63.0550, 7.8000), "6522": (63.0700, 7.7700), "6523": (63.0480, 7.7900),
}


def postcode_position(postcode: str) -> tuple[float | None, float | None]:
    return POSTCODE_CENTRES.get(postcode, (None, None))
