"""ISO 9999 classes the depot meets most often, with Norwegian titles for display."""
from __future__ import annotations

ISO_TITLES = {
    "043303": "Sitteputer og underlag for trykksårforebygging",
    "043306": "Madrasser og overmadrasser for trykksårforebygging",
    "091203": "Toalettstoler",
    "091212": "Toalettforhøyere",
    "091218": "Toalettarmlener og ryggstøtter",
    "093303": "Dusj- og badestoler",
    "093312": "Badekarbrett og badekarseter",
    "120303": "Gåstokker",
    "120306": "Albuekrykker",
    "120603": "Gåbukker",
    "120606": "Rullatorer",
    "120612": "Gåbord",
    "122203": "Manuelle rullestoler, drevet med begge hender",
    "122218": "Manuelle rullestoler, ledsagerstyrt",
    "122306": "Elektriske rullestoler med manuell styring",
    "122703": "Sittestøtter og seteenheter for rullestoler",
    "123103": "Glidebrett og glidematter",
    "123603": "Mobile personløftere med sele",
    "123612": "Takmonterte personløftere",
    "123621": "Seler til personløftere",
    "181210": "Senger med elektrisk regulering",
    "181227": "Sengehester og sengegrinder",
    "183015": "Bærbare ramper",
    "183018": "Faste ramper",
}


def format_iso_class(digits: str) -> str:
    """``12220301`` → ``12 22 03 01``."""
    return " ".join(digits[i:i + 2] for i in range(0, len(digits), 2))


def iso_title(digits: str) -> str:
    return ISO_TITLES.get(digits[:6], "")


# The groups above the classes, for reports by product group (ISO 9999's class and subclass level).
ISO_GROUP_TITLES = {
    "04": "Hjelpemidler for behandling",
    "0433": "Hjelpemidler for trykksårforebygging",
    "09": "Hjelpemidler for personlig stell",
    "0912": "Toaletthjelpemidler",
    "0933": "Hjelpemidler for vask, bad og dusj",
    "12": "Hjelpemidler for personlig mobilitet",
    "1203": "Ganghjelpemidler for én arm",
    "1206": "Ganghjelpemidler for begge armer",
    "1222": "Manuelle rullestoler",
    "1223": "Elektriske rullestoler",
    "1227": "Rullestoltilbehør",
    "1231": "Hjelpemidler for forflytning",
    "1236": "Personløftere",
    "18": "Innredning og tilpasning av boliger",
    "1812": "Senger",
    "1830": "Ramper og løfteplattformer",
}


def search_product_groups(text: str, limit: int = 10) -> list[tuple[str, str]]:
    """Groups and classes whose digits begin with, or whose title holds, what was typed."""
    digits = "".join(c for c in text if c.isdigit())
    words = text.strip().lower()
    groups = {**ISO_GROUP_TITLES, **ISO_TITLES}
    found = [(code, title) for code, title in sorted(groups.items())
             if (digits and code.startswith(digits)) or (not digits and words and words in title.lower())]
    return found[:limit]
