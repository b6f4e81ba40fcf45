"""The demo depot behind ``hjelpemiddel demo``: a believable hjelpemiddellager (assistive-device
depot) for a Norwegian town of about 25,000 people, identical for the same seed.

Products and locations go through the catalogue and stock services. The ~3,000 devices are
written in bulk, row for row as ``register_device`` followed by ``move_device`` (put-away) would
write them: a label whose code is made from the label id and is the device's barcode, a
"registered" event and a "putaway" event. (``register_device`` per unit is many times slower.)

Floor plan: metres from the building's north-west corner, x eastwards, y southwards; a location's
point is its centre (the shelves of a rack and the levels of a bay share their point).
"""
from __future__ import annotations

import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from .catalog.models import Product
from .core.auth import User, create_user
from .core.crypto import FnrVault
from .core.db import utcnow
from .core.ids import DEVICE_PREFIX, make_code
from .stock.models import Device, DeviceEvent, DeviceLabel, Location
from .stock.services import create_location

DEPOT_CODE = "HML"
DEFAULT_USERS = (("lager", "lager", "Lise Lager"), ("terapeut", "terapeut", "Tone Terapeut"),
                 ("sjafor", "sjafor", "Sindre Sjåfør"), ("admin", "admin", "Anne Admin"))
BUILDING_SIZE = (60.0, 36.0)


# --- the catalogue --------------------------------------------------------------------------

@dataclass(frozen=True)
class ClassPlan:
    """How an ISO 9999 class is stocked: its zone, units in the depot, share owned by NAV,
    share of units with a manufacturer serial number."""

    zone: str
    devices: int
    nav_share: float
    serial_share: float


_CLASSES: dict[str, ClassPlan] = {
    "043303": ClassPlan("A", 160, 0.10, 0.85),   # sitteputer
    "043306": ClassPlan("E", 130, 0.10, 0.80),   # madrasser
    "091203": ClassPlan("C", 200, 0.08, 0.80),   # toalettstoler
    "091212": ClassPlan("C", 150, 0.00, 0.10),   # toalettforhøyere
    "091218": ClassPlan("A", 90, 0.00, 0.15),    # toalettarmlener
    "093303": ClassPlan("C", 310, 0.05, 0.60),   # dusjstoler
    "093312": ClassPlan("C", 60, 0.00, 0.20),    # badekarbrett
    "120303": ClassPlan("A", 20, 0.00, 0.10),    # gåstokker
    "120306": ClassPlan("A", 0, 0.00, 0.00),     # albuekrykker: løsvare only
    "120603": ClassPlan("B", 40, 0.00, 0.30),    # gåbukker
    "120606": ClassPlan("B", 600, 0.12, 0.95),   # rullatorer
    "120612": ClassPlan("B", 70, 0.10, 0.90),    # gåbord
    "122203": ClassPlan("D", 390, 0.12, 0.98),   # manuelle rullestoler
    "122218": ClassPlan("D", 110, 0.15, 0.98),   # ledsagerstyrte rullestoler
    "122306": ClassPlan("F", 40, 0.35, 1.00),    # elektriske rullestoler
    "122703": ClassPlan("A", 60, 0.10, 0.80),    # rygg- og hodestøtter
    "123103": ClassPlan("A", 70, 0.00, 0.30),    # glidebrett og glidematter
    "123603": ClassPlan("F", 45, 0.20, 1.00),    # mobile personløftere
    "123612": ClassPlan("F", 25, 0.20, 1.00),    # takløftere
    "123621": ClassPlan("A", 160, 0.10, 0.95),   # løfteseler
    "181210": ClassPlan("E", 150, 0.20, 1.00),   # senger
    "181227": ClassPlan("E", 70, 0.10, 0.50),    # sengehester
    "183015": ClassPlan("D", 35, 0.00, 0.40),    # bærbare ramper
    "183018": ClassPlan("D", 15, 0.00, 0.30),    # faste ramper
}

_INSPECTION_DAYS = {"123603": 365, "123612": 365, "123621": 182}
_YEARLY_INSPECTION_FLAG = "kontroll"
_UNTRACKED_FLAG = "løs"  # løsvare: counted, not labelled unit by unit

# ISO class | supplier | name stem | variants (;) | flags
_PRODUCT_LINES = """
043303 | Permobil        | Sittepute ROHO Quadtro Select høy        | 38x40; 41x41; 43x43; 46x46; 48x48; 51x46
043303 | Permobil        | Sittepute ROHO Quadtro Select lav        | 38x40; 43x43; 46x46
043303 | Permobil        | Sittepute ROHO Hybrid Elite              | 38x38; 41x41; 46x46
043303 | Vicair          | Sittepute Vicair Vector O2               | 38x40; 40x42; 42x42; 44x44; 46x46
043303 | Vicair          | Sittepute Vicair Adjuster O2             | 40x40; 44x44
043303 | Vicair          | Sittepute Vicair Liberty O2              | 38x38; 42x42
043303 | Sunrise Medical | Sittepute JAY Easy Visco                 | 38x38; 40x42; 42x42; 46x46
043303 | Sunrise Medical | Sittepute JAY J2                         | 40x40; 45x45
043303 | Invacare        | Sittepute Matrx Flo-tech Solution        | 40x40; 43x43; 46x46
043303 | Careline        | Sittepute skum                           | 40x40; 45x45 | løs
043306 | Arjo            | Vekselmadrass Arjo Auto Logic 200        | 85x200; 90x200
043306 | Arjo            | Overmadrass Arjo Alpha Active 4          | 90x200
043306 | Invacare        | Madrass Invacare Softform Premier        | 85x200; 90x200; 90x210; 105x200
043306 | Invacare        | Vekselmadrass Invacare Softform Premier Active 2 | 90x200
043306 | Careline        | Trykkavlastende madrass Careline Curo    | 85x200; 90x200
043306 | Careline        | Trykkavlastende madrass Careline Curo Pluss | 85x200; 90x200
043306 | Human Care      | Madrass Human Care Visco                 | 85x200; 90x200
043306 | Drive DeVilbiss | Vekselmadrass Drive Harmony              | 90x200
043306 | Mediq           | Overmadrass Mediq fiber                  | 90x200 | løs
091203 | Etac            | Dusj- og toalettstol Etac Swift Mobil-2  | sh 46; sh 49; sh 55; 24"
091203 | Etac            | Dusj- og toalettstol Etac Swift Mobil Tilt-2 | standard; XL
091203 | Etac            | Dusj- og toalettstol Etac Clean          | sh 49; sh 55; høyderegulerbar
091203 | Etac            | Toalettstol Etac Swift Commode           | standard; med armlener
091203 | Invacare        | Toalettstol Aquatec Ocean                | standard; Ergo; VIP; XL
091203 | Handicare       | Toalettstol Linido                       | standard; bred
091203 | Careline        | Toalettstol Careline                     | fast; med hjul
091203 | Drive DeVilbiss | Toalettstol Drive                        | fast; sammenleggbar
091212 | Etac            | Toalettforhøyer Etac Hi-Loo              | 6 cm; 10 cm; fast 6 cm; fast 10 cm; med armlener
091212 | Etac            | Toalettforhøyer Etac My-Loo              | med brakett; uten brakett
091212 | Careline        | Toalettforhøyer Careline                 | 5 cm; 10 cm; 15 cm; med lokk
091212 | Handicare       | Toalettforhøyer Linido                   | 5 cm; 10 cm
091212 | Drive DeVilbiss | Toalettforhøyer Drive                    | 10 cm | løs
091218 | Etac            | Toalettarmstøtte Etac Supporter          | standard; med bein; bred
091218 | Etac            | Toalettarmlener Etac Hi-Loo              | par
091218 | Careline        | Toalettstativ Careline                   | frittstående; veggmontert
091218 | Handicare       | Toalettarmstøtte Linido                  | standard; med rygg; oppfellbar
091218 | Human Care      | Toalettstativ Human Care                 | standard
091218 | Drive DeVilbiss | Toalettstativ Drive                      | standard
093303 | Etac            | Dusjkrakk Etac Swift                     | uten rygg; med rygg
093303 | Etac            | Dusjstol Etac Swift                      | standard; med armlener; veggmontert; høy
093303 | Etac            | Dusjstol Etac Edge                       | standard; med armlener
093303 | Etac            | Dusjkrakk Etac Edge                      | standard
093303 | Invacare        | Dusjstol Aquatec                         | Pico; Sorrento; Ocean Dual VIP; Pico Commode
093303 | Handicare       | Dusjstol Linido                          | standard; med armlener; veggmontert; Premium
093303 | Careline        | Dusjkrakk Careline                       | rund; firkantet; med håndtak
093303 | Careline        | Dusjstol Careline                        | med armlener; sammenleggbar
093303 | Mediq           | Dusjkrakk Mediq                          | standard
093303 | Drive DeVilbiss | Dusjstol Drive                           | standard; bariatrisk
093312 | Etac            | Badekarbrett Etac Fresh                  | 65 cm; 70 cm; 75 cm
093312 | Etac            | Badekarsete Etac Swift                   | dreibart; fast
093312 | Careline        | Badekarbrett Careline                    | standard; med håndtak
093312 | Handicare       | Badekarbrett Linido                      | standard
093312 | Drive DeVilbiss | Badekarsete Drive                        | dreibart
120303 | Careline        | Gåstokk Careline                         | justerbar; sammenleggbar; med firpunktsfot | løs
120303 | Drive DeVilbiss | Firpunktsstokk Drive                     | smal; bred | løs
120303 | Human Care      | Setestokk Human Care                     | standard
120306 | Ossenberg       | Albuekrykke Ossenberg                    | standard; ergonomisk håndtak; lang | løs
120306 | Careline        | Albuekrykke Careline                     | voksen; barn | løs
120306 | Drive DeVilbiss | Albuekrykke Drive                        | bariatrisk | løs
120603 | Careline        | Gåbukk Careline                          | fast; med hjul foran
120603 | Drive DeVilbiss | Gåbukk Drive                             | sammenleggbar; lav
120603 | Vermeiren       | Gåbukk Vermeiren                         | standard
120606 | Topro           | Rullator Topro Olympos                   | S; M; L; ATR M; ATR L
120606 | Topro           | Rullator Topro Troja 5G                  | S; M; L
120606 | Topro           | Rullator Topro Troja 2G                  | S; M
120606 | Topro           | Rullator Topro Pegasus                   | S; M; L; bariatrisk
120606 | Topro           | Innerullator Topro Hestia                | standard
120606 | Invacare        | Rullator Dolomite Legacy                 | 600; 650; 700; 800
120606 | Invacare        | Rullator Dolomite Futura                 | 600; 700
120606 | Invacare        | Rullator Dolomite Jazz II                | 510; 610
120606 | Invacare        | Rullator Invacare Banjo                  | S; M
120606 | Human Care      | Rullator Let's Go Out                    | standard; lett
120606 | Human Care      | Rullator Let's Fly                       | standard
120606 | Human Care      | Innerullator Let's Go Indoor             | standard
120606 | Vermeiren       | Rullator Vermeiren Quava                 | standard; XL
120606 | Vermeiren       | Rullator Vermeiren Eclips                | standard; XL
120606 | Drive DeVilbiss | Rullator Drive Nitro                     | S; M; L
120606 | Careline        | Rullator Careline Lett                   | M; L
120606 | Careline        | Innerullator Careline                    | standard
120612 | Topro           | Gåbord Topro Taurus                      | E; H; EP
120612 | Careline        | Gåbord Careline                          | standard; høy
120612 | Drive DeVilbiss | Gåbord Drive                             | standard
120612 | Human Care      | Gåbord Human Care Neo                    | standard
122203 | Sunrise Medical | Rullestol Breezy Style                   | sb 40; sb 43; sb 46; sb 48; sb 50
122203 | Sunrise Medical | Rullestol Breezy Premium                 | sb 40; sb 45; sb 50
122203 | Sunrise Medical | Rullestol Breezy BasiX²                  | sb 40; sb 43; sb 46
122203 | Sunrise Medical | Rullestol Quickie Life R                 | sb 38; sb 42; sb 46
122203 | Sunrise Medical | Rullestol Quickie Argon²                 | sb 38; sb 42
122203 | Invacare        | Rullestol Invacare Action 2NG            | sb 40; sb 43; sb 45; sb 48
122203 | Invacare        | Rullestol Invacare Action 3NG            | sb 40; sb 43; sb 45; sb 48; sb 50
122203 | Invacare        | Rullestol Invacare Action 4NG            | sb 40; sb 43; sb 45; sb 48
122203 | Invacare        | Rullestol Küschall Compact               | sb 38; sb 42; sb 46
122203 | Etac            | Rullestol Etac Cross 5                   | sb 40; sb 42,5; sb 45; sb 47,5; sb 50
122203 | Etac            | Rullestol Etac Cross 6                   | sb 40; sb 45
122203 | Ottobock        | Rullestol Ottobock Avantgarde 4          | sb 38; sb 42; sb 46
122203 | Ottobock        | Rullestol Ottobock Start M2              | sb 41; sb 45; sb 49
122203 | Permobil        | Rullestol Panthera S3                    | sb 36; sb 40; sb 44
122203 | Vermeiren       | Rullestol Vermeiren V300                 | sb 40; sb 45; sb 50
122203 | Drive DeVilbiss | Rullestol Drive Enigma                   | sb 41; sb 46
122218 | Etac            | Komfortrullestol Etac Prio               | sb 39; sb 44; sb 49
122218 | Etac            | Ledsagerstyrt rullestol Etac Cross 5     | sb 42,5; sb 45
122218 | Invacare        | Komfortrullestol Invacare Rea Azalea     | sb 39; sb 44; sb 49; Assist
122218 | Invacare        | Komfortrullestol Invacare Rea Clematis Pro | sb 39; sb 44
122218 | Vermeiren       | Komfortrullestol Vermeiren Inovys II     | sb 42; sb 45
122218 | Sunrise Medical | Komfortrullestol Breezy Relax            | sb 40; sb 45
122218 | Drive DeVilbiss | Transportrullestol Drive                 | sb 43; sb 46
122218 | Careline        | Transportrullestol Careline              | sb 45; sb 50
122306 | Permobil        | Elektrisk rullestol Permobil             | M3 Corpus; M5 Corpus; F3 Corpus; F5 Corpus; M1; M300 Corpus HD
122306 | Invacare        | Elektrisk rullestol Invacare             | TDX SP2; Kite; Fox
122306 | Sunrise Medical | Elektrisk rullestol Quickie              | Q500 M; Q700 M; Q400 F
122306 | Ottobock        | Elektrisk rullestol Ottobock Juvo        | B4; B5; B6
122703 | Sunrise Medical | Ryggstøtte JAY J3                        | lav; middels; høy; dyp kontur
122703 | Sunrise Medical | Ryggstøtte JAY Easy                      | 38; 42; 46
122703 | Invacare        | Ryggstøtte Matrx Elite                   | lav; høy
122703 | Permobil        | Ryggstøtte ROHO Agility                  | lav; middels; høy
122703 | Etac            | Hodestøtte Etac Prio                     | standard; lateral
123103 | Etac            | Glidematte Etac Immedia                  | 70x80; 70x130; 140x200
123103 | Etac            | Glidebrett Etac Immedia                  | kort; lang; buet
123103 | Handicare       | Glidebrett Handicare BeasyTrans          | standard; bariatrisk
123103 | Handicare       | Glidematte Handicare MiniSlide           | 35x45; 45x70 | løs
123103 | Careline        | Glidebrett Careline                      | standard; buet
123603 | Molift          | Personløfter Molift Mover                | 180; 205; 300
123603 | Molift          | Personløfter Molift Smart                | 150
123603 | Molift          | Ståløfter Molift Quick Raiser            | 205
123603 | Molift          | Ståløfter Molift Partner                 | 255
123603 | Arjo            | Personløfter Arjo Maxi Move              | standard; bariatrisk
123603 | Arjo            | Personløfter Arjo Minstrel               | standard
123603 | Handicare       | Personløfter Handicare Eva               | 400; 450; 600
123603 | Invacare        | Personløfter Invacare Birdie Evo         | kompakt; standard; XPLUS
123612 | Guldmann        | Takløfter Guldmann GH3                   | standard; Twin; Plus
123612 | Guldmann        | Takløfter Guldmann GH1                   | F; Q
123612 | Molift          | Takløfter Molift Air                     | 205; 300
123612 | Handicare       | Takløfter Handicare RiseAtlas            | 450T; 625T
123612 | Arjo            | Takløfter Arjo Maxi Sky                  | 440; 600
123621 | Molift          | Løftesele Molift RgoSling Comfort        | XS; S; M; L; XL
123621 | Molift          | Løftesele Molift RgoSling Hygiene        | S; M; L; XL
123621 | Molift          | Løftesele Molift RgoSling MediumBack     | S; M; L
123621 | Molift          | Løftesele Molift RgoSling Ambulating     | S; M; L
123621 | Guldmann        | Løftesele Guldmann Basic                 | S; M; L; XL
123621 | Guldmann        | Løftesele Guldmann Comfort               | S; M; L
123621 | Guldmann        | Løftesele Guldmann Toilet                | S; M; L
123621 | Arjo            | Løftesele Arjo MAA                       | S; M; L; XL
123621 | Arjo            | Løftesele Arjo Flites                    | S; M; L
123621 | Handicare       | Løftesele Handicare Basic                | S; M; L; XL
123621 | Handicare       | Løftesele Handicare HighBack             | M; L
181210 | Invacare        | Seng Invacare Medley Ergo                | 90x200; 90x210; Low | kontroll
181210 | Invacare        | Seng Invacare Medley Ergo S              | 90x200 | kontroll
181210 | Invacare        | Seng Invacare SB 755                     | 90x200
181210 | Invacare        | Seng Invacare Etude Plus                 | 90x200
181210 | Arjo            | Seng Arjo Citadel Plus                   | 90x200; bariatrisk | kontroll
181210 | Arjo            | Seng Arjo Enterprise 5000X               | 90x200 | kontroll
181210 | Vermeiren       | Seng Vermeiren Luna Basic                | 90x200; 90x210
181210 | Human Care      | Seng Human Care Opus                     | standard; lav
181227 | Invacare        | Sengehest Invacare Medley                | halv; hel
181227 | Vermeiren       | Sengehest Vermeiren Luna                 | standard
181227 | Careline        | Sengegrind Careline                      | enkel; dobbel
181227 | Human Care      | Sengehest Human Care                     | standard; polstret
181227 | Drive DeVilbiss | Sengehest Drive                          | universal
183015 | Careline        | Rampe Careline sammenleggbar             | 60 cm; 90 cm; 120 cm; 180 cm
183015 | Drive DeVilbiss | Rampe Drive teleskop                     | 150 cm; 210 cm
183015 | Careline        | Terskelrampe Careline                    | 2 cm; 4 cm; 6 cm | løs
183018 | Careline        | Modulrampe aluminium Careline            | 1 m; 2 m; 3 m
"""


@dataclass(frozen=True)
class ProductLine:
    iso_class: str
    supplier: str
    stem: str
    variants: tuple[str, ...]
    flags: frozenset[str]


@dataclass(frozen=True)
class ProductSpec:
    name: str
    supplier: str
    iso_class: str
    hms_nr: str | None
    individually_tracked: bool
    inspection_interval_days: int | None


def _product_lines() -> list[ProductLine]:
    lines = []
    for raw in _PRODUCT_LINES.strip().splitlines():
        iso, supplier, stem, variants, *flags = [cell.strip() for cell in raw.split("|")]
        lines.append(ProductLine(iso, supplier, stem, tuple(v.strip() for v in variants.split(";")), frozenset(flags)))
    return lines


def _plan_products(rng: random.Random) -> list[ProductSpec]:
    lines = _product_lines()
    hms_numbers = iter(rng.sample(range(10_000, 330_000), sum(len(line.variants) for line in lines)))
    products = []
    for line in lines:
        tracked = _UNTRACKED_FLAG not in line.flags
        interval = _INSPECTION_DAYS.get(line.iso_class) or (365 if _YEARLY_INSPECTION_FLAG in line.flags else None)
        for variant in line.variants:
            hms = f"{next(hms_numbers):06d}"
            municipal_only = rng.random() < (0.05 if tracked else 0.5)
            products.append(ProductSpec(f"{line.stem} {variant}", line.supplier, line.iso_class,
                                        None if municipal_only else hms, tracked, interval))
    return products


def _insert_products(session: Session, products: list[ProductSpec]) -> list[int]:
    rows = [{"name": p.name, "supplier": p.supplier, "iso_class": p.iso_class, "hms_nr": p.hms_nr,
             "individually_tracked": p.individually_tracked, "inspection_interval_days": p.inspection_interval_days}
            for p in products]
    return _bulk_insert(session, Product, rows)


# --- the depot ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ZoneSpec:
    """One zone of the floor plan: a grid of ``rows`` × ``cols`` spots, ``dx`` × ``dy`` metres each,
    from (x0, y0). ``shelving`` is rack › shelf › bin, ``racks`` is rack › bin per bay and level,
    ``floor`` is bins (floor spots called ``spot_name``) straight under the zone."""

    code: str
    name: str
    layout: str
    x0: float
    y0: float
    rows: int
    cols: int
    levels: int
    dx: float
    dy: float
    capacity: int
    spot_name: str = ""


_ZONES = (  # code, name, layout, x0, y0, rows, cols, levels, dx, dy, capacity, spot name
    ZoneSpec("A", "Sone A – småhjelpemidler", "shelving", 2, 2, 4, 6, 3, 2.0, 2.6, 10),
    ZoneSpec("B", "Sone B – gåhjelpemidler", "racks", 21, 2, 4, 8, 2, 2.2, 2.6, 14),
    ZoneSpec("C", "Sone C – bad og toalett", "racks", 2, 14, 4, 8, 2, 2.2, 2.6, 14),
    ZoneSpec("D", "Sone D – rullestoler og ramper", "racks", 21, 14, 4, 6, 2, 2.6, 2.6, 14),
    ZoneSpec("E", "Sone E – senger og madrasser", "floor", 40, 2, 6, 4, 1, 4.5, 3.5, 20, "Gulvfelt"),
    ZoneSpec("F", "Sone F – løftere og elektriske rullestoler", "floor", 40, 26, 2, 5, 1, 3.5, 3.5, 16, "Gulvfelt"),
    ZoneSpec("MOTTAK", "Mottak", "floor", 2, 28, 2, 3, 1, 3.5, 3.0, 20, "Mottaksplass"),
    ZoneSpec("VASK", "Vask og klargjøring", "floor", 16, 28, 2, 3, 1, 3.0, 3.0, 6, "Vaskeplass"),
)


@dataclass(frozen=True)
class Bin:
    id: int
    zone: str
    capacity: int


def _spot(zone: ZoneSpec, row: float, col: float) -> tuple[float, float]:
    """Centre of a grid spot; fractional row/col give centres of groups of spots."""
    return round(zone.x0 + (col + 0.5) * zone.dx, 2), round(zone.y0 + (row + 0.5) * zone.dy, 2)


def _build_zone(session: Session, zone: ZoneSpec) -> list[Bin]:
    x, y = _spot(zone, (zone.rows - 1) / 2, (zone.cols - 1) / 2)
    create_location(session, zone.code, "zone", zone.name, parent_code=DEPOT_CODE, x=x, y=y)
    if zone.layout == "floor":
        return [_build_bin(session, zone, f"{zone.code}-{n + 1:02d}", f"{zone.spot_name} {n + 1}", zone.code,
                           *divmod(n, zone.cols)) for n in range(zone.rows * zone.cols)]
    return [bin_ for row in range(zone.rows) for bin_ in _build_rack(session, zone, row)]


def _build_rack(session: Session, zone: ZoneSpec, row: int) -> list[Bin]:
    """A rack along one row: shelves (hyller) holding bins, or bins straight per bay (fag) and level."""
    rack = f"{zone.code}-{row + 1:02d}"
    x, y = _spot(zone, row, (zone.cols - 1) / 2)
    create_location(session, rack, "rack", f"Reol {rack}", parent_code=zone.code, x=x, y=y)
    bins = []
    for level in range(1, zone.levels + 1):
        if zone.layout == "shelving":
            shelf = f"{rack}-{level}"
            create_location(session, shelf, "shelf", f"Reol {rack}, hylle {level}", parent_code=rack, x=x, y=y)
            bins += [_build_bin(session, zone, f"{shelf}-{col + 1:02d}", f"Hylle {level}, plass {col + 1}", shelf,
                                row, col) for col in range(zone.cols)]
        else:
            bins += [_build_bin(session, zone, f"{rack}-{col + 1:02d}-{level}",
                                f"Reol {rack}, fag {col + 1}, nivå {level}", rack, row, col)
                     for col in range(zone.cols)]
    return bins


def _build_bin(session: Session, zone: ZoneSpec, code: str, name: str, parent: str, row: int, col: int) -> Bin:
    x, y = _spot(zone, row, col)
    location = create_location(session, code, "bin", name, parent_code=parent, capacity=zone.capacity, x=x, y=y)
    return Bin(location.id, zone.code, zone.capacity)


def _build_depot(session: Session) -> list[Bin]:
    width, height = BUILDING_SIZE
    create_location(session, DEPOT_CODE, "depot", "Hjelpemiddellageret", x=width / 2, y=height / 2)
    return [bin_ for zone in _ZONES for bin_ in _build_zone(session, zone)]


# --- the devices ----------------------------------------------------------------------------

_REPAIR_NOTES = {
    "120606": ("Bremsene tar ikke", "Knekt håndtak", "Løst hjul"),
    "122203": ("Punktert dekk", "Løs fotstøtte", "Slitt setetrekk"),
    "122218": ("Punktert dekk", "Tiltfunksjonen henger", "Slitt setetrekk"),
    "122306": ("Feil på styreboksen", "Batteriet lader ikke"),
    "123603": ("Feil på håndkontrollen", "Batteriet lader ikke"),
    "123612": ("Feil på håndkontrollen", "Slitt løftebånd"),
    "181210": ("Motoren går ikke", "Defekt håndkontroll"),
}
_AWAITING_PUTAWAY_SHARE = 0.01
_IN_REPAIR_SHARE = 0.03
_OLDEST_DAYS = 2900
_WORKDAY_MINUTES = (6 * 60 + 30, 13 * 60 + 30)  # UTC, 07:30–14:30 Norwegian winter time


@dataclass(frozen=True)
class Moment:
    """A time relative to the day of loading: ``days`` before today, at ``minute`` (UTC) of that day."""

    days: int
    minute: int

    def at(self, today: datetime) -> datetime:
        return today - timedelta(days=self.days) + timedelta(minutes=self.minute)

    def later(self, minutes: int) -> Moment:
        return Moment(self.days, self.minute + minutes)


@dataclass
class DevicePlan:
    product: int  # index into the product plan
    serial_number: str | None
    owner: str
    nav_hms_nr: str | None
    nav_serial: str | None
    condition: str
    registered: Moment
    putaway: Moment | None  # None: still waiting in the receiving area
    repair: Moment | None = None
    repair_note: str = ""
    bin: Bin | None = None


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` in whole parts proportional to ``weights`` (largest remainder)."""
    if not weights:
        return []
    exact = [total * w / sum(weights) for w in weights]
    counts = [math.floor(e) for e in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
    for i in by_remainder[:total - sum(counts)]:
        counts[i] += 1
    return counts


def _workday_moment(rng: random.Random, days: int) -> Moment:
    return Moment(days, rng.randint(*_WORKDAY_MINUTES))


def _serial_prefix(supplier: str) -> str:
    words = supplier.split()
    return "".join(w[0] for w in words).upper() if len(words) > 1 else supplier[:3].upper()


def _new_serial(rng: random.Random, supplier: str, taken: set[str]) -> str:
    while True:
        serial = f"{_serial_prefix(supplier)}{rng.randint(1_000_000, 9_999_999)}"
        if serial not in taken:
            taken.add(serial)
            return serial


def _condition(rng: random.Random, age_days: int) -> str:
    if age_days < 120:
        return rng.choices(("new", "good"), (8, 2))[0]
    return rng.choices(("good", "fair", "poor"), (65, 27, 8))[0]


def _plan_devices(rng: random.Random, products: list[ProductSpec]) -> list[DevicePlan]:
    devices: list[DevicePlan] = []
    nav_serials = iter(rng.sample(range(100_000, 1_000_000), sum(plan.devices for plan in _CLASSES.values())))
    for iso, plan in _CLASSES.items():
        members = [i for i, p in enumerate(products) if p.iso_class == iso and p.individually_tracked]
        # Squared weights: a few models dominate a class, as in a real depot.
        counts = _split(plan.devices, [rng.uniform(0.3, 1.0) ** 2 for _ in members])
        for index, count in zip(members, counts):
            devices += _plan_product_devices(rng, index, products[index], plan, count, nav_serials)
    return devices


def _plan_product_devices(rng: random.Random, index: int, product: ProductSpec, plan: ClassPlan, count: int,
                          nav_serials: Iterator[int]) -> list[DevicePlan]:
    # Units arrive in a few deliveries over the years, not one by one.
    deliveries = rng.sample(range(3, _OLDEST_DAYS), rng.randint(1, 4))
    serials: set[str] = set()
    planned = []
    for _ in range(count):
        registered = _workday_moment(rng, rng.choice(deliveries))
        serial = _new_serial(rng, product.supplier, serials) if rng.random() < plan.serial_share else None
        nav = product.hms_nr is not None and rng.random() < plan.nav_share
        planned.append(DevicePlan(
            index, serial, "nav" if nav else "kommune", product.hms_nr if nav else None,
            f"{next(nav_serials):06d}" if nav else None, _condition(rng, registered.days), registered,
            putaway=registered.later(rng.randint(5, 180))))
    return planned


def _add_recent_history(rng: random.Random, devices: list[DevicePlan], products: list[ProductSpec]) -> None:
    """Yesterday's delivery, not yet put away, and a few units sent to repair lately."""
    for device in rng.sample(devices, round(len(devices) * _AWAITING_PUTAWAY_SHARE)):
        device.registered, device.putaway, device.condition = _workday_moment(rng, 1), None, "new"
    repairable = [d for d in devices if d.putaway is not None and d.registered.days > 30
                  and products[d.product].iso_class in _REPAIR_NOTES]
    for device in rng.sample(repairable, round(len(devices) * _IN_REPAIR_SHARE)):
        device.repair = _workday_moment(rng, rng.randint(1, 25))
        device.repair_note = rng.choice(_REPAIR_NOTES[products[device.product].iso_class])


def _assign_bins(devices: list[DevicePlan], products: list[ProductSpec], bins: list[Bin]) -> None:
    """Fill each zone's bins in order, evenly to the zone's fill ratio, so every bin has room left."""
    for zone in sorted({plan.zone for plan in _CLASSES.values()}):
        zone_bins = [b for b in bins if b.zone == zone]
        placed = [d for d in devices if d.putaway is not None and _CLASSES[products[d.product].iso_class].zone == zone]
        room = sum(b.capacity for b in zone_bins)
        if len(placed) > room:
            raise RuntimeError(f"demo zone {zone} holds {room} devices, {len(placed)} planned")
        slots = [b for b in zone_bins for _ in range(min(b.capacity, math.ceil(b.capacity * len(placed) / room)))]
        for device, bin_ in zip(placed, slots):
            device.bin = bin_


# --- writing the devices --------------------------------------------------------------------

def _insert_devices(session: Session, devices: list[DevicePlan], product_ids: list[int], actor_id: int | None,
                    today: datetime) -> None:
    # Oldest first, so ids and barcodes grow with time as they would at the registration desk.
    devices = sorted(devices, key=lambda d: (-d.registered.days, d.registered.minute))
    registered = [d.registered.at(today) for d in devices]
    label_ids = _bulk_insert(session, DeviceLabel, [{"issued_at": at} for at in registered])
    codes = [make_code(DEVICE_PREFIX, label_id) for label_id in label_ids]
    device_ids = _bulk_insert(session, Device, [_device_row(d, code, product_ids[d.product], today)
                                                for d, code in zip(devices, codes)])
    session.execute(update(DeviceLabel), [
        {"id": label_id, "code": code, "device_id": device_id, "claimed_at": at}
        for label_id, code, device_id, at in zip(label_ids, codes, device_ids, registered)])
    events = [event for d, device_id in zip(devices, device_ids)
              for event in _device_events(d, device_id, today, actor_id)]
    events.sort(key=lambda e: (e["occurred_at"], e["device_id"]))
    _bulk_insert(session, DeviceEvent, events)


def _bulk_insert(session: Session, model: type, rows: list[dict]) -> list[int]:
    """Insert the rows in order and return their new ids in the same order.

    One executemany with NULLs rendered keeps the rows in one batch, in order, so the new ids are the
    ids above the previous maximum. (RETURNING in parameter order runs row by row on SQLite: far slower.)
    """
    before = session.scalar(select(func.max(model.id))) or 0
    session.execute(insert(model).execution_options(render_nulls=True), rows)
    ids = list(session.scalars(select(model.id).where(model.id > before).order_by(model.id)))
    if len(ids) != len(rows):
        raise RuntimeError(f"{model.__tablename__}: {len(rows)} rows inserted, {len(ids)} found")
    return ids


def _device_row(device: DevicePlan, code: str, product_id: int, today: datetime) -> dict:
    if device.putaway is None:
        state, last_change = "registered", device.registered
    elif device.repair is not None:
        state, last_change = "in_repair", device.repair
    else:
        state, last_change = "available", device.putaway
    return {"barcode": code, "product_id": product_id, "serial_number": device.serial_number, "owner": device.owner,
            "nav_hms_nr": device.nav_hms_nr, "nav_serial": device.nav_serial, "condition": device.condition,
            "state": state, "location_id": device.bin.id if device.bin else None,
            "registered_at": device.registered.at(today), "updated_at": last_change.at(today)}


def _event(device_id: int, kind: str, at: datetime, actor_id: int | None, from_state: str | None, to_state: str,
           from_location: int | None, to_location: int | None, note: str = "") -> dict:
    return {"device_id": device_id, "occurred_at": at, "actor_id": actor_id, "kind": kind, "from_state": from_state,
            "to_state": to_state, "from_location_id": from_location, "to_location_id": to_location,
            "note": note, "data": None}


def _device_events(device: DevicePlan, device_id: int, today: datetime, actor_id: int | None) -> list[dict]:
    """The events ``register_device`` (without a location), ``move_device`` and ``transition_device`` write."""
    events = [_event(device_id, "registered", device.registered.at(today), actor_id, None, "registered", None, None)]
    if device.putaway is None:
        return events
    bin_id = device.bin.id
    events.append(_event(device_id, "putaway", device.putaway.at(today), actor_id, "registered", "available",
                         None, bin_id))
    if device.repair is not None:
        events.append(_event(device_id, "state_changed", device.repair.at(today), actor_id, "available", "in_repair",
                             bin_id, bin_id, device.repair_note))
    return events


# --- entry points ---------------------------------------------------------------------------

def database_is_empty(session: Session) -> bool:
    """No products, devices or locations: the demo would not mix with real data."""
    return all(session.scalar(select(model.id).limit(1)) is None for model in (Product, Device, Location))


def _create_users(session: Session, users: Sequence[tuple[str, str, str]], password: str) -> list[User]:
    # An admin created before the demo keeps their password; the others are added.
    existing = set(session.scalars(select(User.username).where(User.username.in_([u for u, _, _ in users]))))
    return [create_user(session, username, role, password, full_name)
            for username, role, full_name in users if username not in existing]


def _warehouse_actor(session: Session, users: Sequence[tuple[str, str, str]]) -> int | None:
    names = [username for username, role, _ in users if role == "lager"] or [username for username, _, _ in users]
    return session.scalar(select(User.id).where(User.username.in_(names)).order_by(User.id).limit(1)) if names else None


def load_demo(session: Session, seed: int = 2026, users: Sequence[tuple[str, str, str]] = DEFAULT_USERS,
              password: str = "demo-passord", vault: FnrVault | None = None) -> dict[str, int]:
    """Fill an empty database with the demo depot; flushes, never commits. Returns what was made.
    With an fnr vault it also adds citizens and their needs in every stage."""
    rng = random.Random(seed)
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    created_users = _create_users(session, users, password)
    products = _plan_products(rng)
    product_ids = _insert_products(session, products)
    bins = _build_depot(session)
    devices = _plan_devices(rng, products)
    _add_recent_history(rng, devices, products)
    _assign_bins(devices, products, bins)
    _insert_devices(session, devices, product_ids, _warehouse_actor(session, users), today)
    session.flush()
    in_depot = ((Location.code == DEPOT_CODE) | (Location.path == DEPOT_CODE)
                | Location.path.startswith(f"{DEPOT_CODE} / "))
    summary = {"produkter": len(product_ids),
               "lokasjoner": session.scalar(select(func.count()).select_from(Location).where(in_depot)),
               "hjelpemidler": len(devices),
               "brukere": len(created_users)}
    therapist_id = session.scalar(select(User.id).where(User.role == "terapeut").order_by(User.id).limit(1))
    lager_id = _warehouse_actor(session, users)
    if vault is not None and therapist_id and lager_id:
        from .demo_lending import load_demo_lending

        summary.update(load_demo_lending(session, vault, random.Random(seed + 1), therapist_id, lager_id))
    return summary
