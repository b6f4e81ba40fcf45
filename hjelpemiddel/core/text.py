"""Words and times as the depot's people read them: field names in bokmål, times in Norway's zone."""
from __future__ import annotations

import re
from datetime import date, datetime
from .db import LOCAL_ZONE, utcnow

FIELD_LABELS = {
    "width": "Bredde", "depth": "Dybde", "rotation": "Vinkel", "date": "Dato", "time": "Klokkeslett", "zone": "Sone",
    "by": "Vis etter", "minimum": "Minimum",
    "fnr": "Fødselsnummer", "name": "Navn", "address": "Adresse", "postcode": "Postnummer", "city": "Poststed",
    "kommunenummer": "Kommunenummer", "phone": "Telefon", "contact_phone": "Kontaktpersonens telefon",
    "access_notes": "Adkomst", "contact_name": "Kontaktperson", "purpose": "Formål",
    "reason": "Begrunnelse", "decision": "Vedtak", "note": "Merknad", "notes": "Merknad",
    "hms_nr": "HMS-nr", "iso_class": "ISO-klasse", "supplier": "Leverandør", "individually_tracked": "Individmerket",
    "inspection_interval_days": "Kontrollintervall", "replacement_value": "Gjenanskaffelsesverdi", "serial_number": "Serienummer", "owner": "Eier",
    "nav_hms_nr": "HMS-nr (NAV)", "nav_serial": "NAV-serienummer", "condition": "Tilstand", "barcode": "Strekkode",
    "device_barcode": "Strekkode", "barcodes": "Strekkoder", "location_code": "Lokasjon", "product_id": "Produkt",
    "code": "Kode", "kind": "Type", "parent_code": "Overordnet lokasjon", "capacity": "Kapasitet",
    "citizen_id": "Innbygger", "needed_by": "Trengs innen", "urgency": "Hastegrad",
    "discharge_date": "Utskrivningsdato", "discharge_time": "Klokkeslett for utskrivning", "rows": "Produkter",
    "product": "Produkt", "quantity": "Antall", "application_type": "Søknadstype",
    "delivery_address": "Leveringsadresse", "requested_by": "Meldt av", "new_end": "Ny sluttdato",
    "method": "Vaskemetode", "results": "Sjekkliste", "fail_reason": "Begrunnelse for avvik", "layout": "Etikettoppsett",
    "start_position": "Hopp over brukte etiketter", "count": "Antall", "username": "Brukernavn", "role": "Rolle",
    "password": "Passord", "received_by": "Mottatt av", "need_id": "Behov", "header": "Overskrift", "file": "Fil",
    "to_state": "Slipp til", "disposition": "Avgjørelse", "outcome": "Utfall", "action": "Del av besøket",
    "window_start": "Tidsvindu fra", "window_end": "Tidsvindu til", "van": "Bil", "driver": "Sjåfør",
    "run_date": "Dato", "run_id": "Kjørerunde", "position": "Plass", "odometer_start": "Kilometerstand ved start",
    "odometer_end": "Kilometerstand ved retur", "work_done": "Utført arbeid", "minutes_spent": "Tidsbruk",
    "parts_used": "Deler brukt", "parts": "Deler", "levering": "Levering", "battery_training": "Opplæring på batteri",
    "serienr": "Serienummer", "serial": "Serienummer", "place": "Sted", "description": "Beskrivelse",
    "days": "Antall dager", "shortfall_only": "Bare mangel",
    "order_line_id": "Ordrelinje", "resolution": "Avklaring", "limit": "Antall per side", "offset": "Fra rad",
    "q": "Søk", "nav_status": "NAV-status",
    "on_fail": "Ved avvik", "reservation_id": "Reservasjon", "stop_id": "Stopp", "antall": "Antall", "navn": "Navn",
    "hmsnr": "HMS-nr", "kategori": "Kategori", "_schema": "Innhold",
    "full_name": "Fullt navn", "label": "Brukes til", "status": "Status",
    "skip_invalid": "Hopp over ugyldige rader", "dry_run": "Bare prøv", "x": "Plassering (x)", "y": "Plassering (y)",
    "state": "Status", "purpose_text": "Formål (fritekst)", "date_from": "Fra dato", "date_to": "Til dato",
    "user": "Bruker", "flagged_only": "Bare flaggede", "runs": "Kjørerunder", "from_start": "Fra begynnelsen",
    "lev_art_nr": "Leverandørens artikkelnummer", "maks_antall": "Høyeste antall", "open_only": "Bare åpne",
    "repair_id": "Reparasjon", "reasons": "Hva er galt", "confirm_unvisited": "Avslutt med åpne stopp",
    "after": "Etter", "before": "Før", "force": "Flytt likevel",
    "blind": "Blind telling", "bin_code": "Hylle", "page": "Side", "size": "Antall per side",
    "month": "Måned", "area": "Område", "periode": "Periode", "fra": "Fra", "til": "Til og med",
    "postnummer": "Postnummerområde", "produktgruppe": "Produktgruppe", "side": "Side",
    "normal": "Vanlig", "urgent": "Haster", "discharge": "Utskrivning fra sykehus", "amount": "Antall",
    "unit": "Enhet", "until": "Til og med dato", "after_each_loan": "Etter hvert utlån",
    "checklist": "Sjekkliste", "interval_months": "Intervall (måneder)", "iso_prefix": "ISO-klasse",
    "injury": "Personskade", "reference": "Referanse", "not_sent": "Ikke sendt",
    "part_number": "Delenummer", "minimum_quantity": "Minimumsbeholdning", "product_ids": "Produkter",
    "counted": "Opptalt antall", "below_minimum": "Under minimum", "cause": "Årsak", "stock_parts": "Deler fra lager",
    "spare_part_id": "Reservedel", "min_loan_months": "Minste utlånstid (måneder)",
    "title": "Tittel", "recall_action": "Tiltak", "due_date": "Frist",
    "serial_from": "Første serienummer", "serial_to": "Siste serienummer", "serials": "Serienumre", "lot": "Lot",
    "selection": "Utvalg", "found": "Funnet", "what_was_done": "Hva ble gjort",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def local_time(value: datetime) -> datetime:
    return value.astimezone(LOCAL_ZONE)


def local_today() -> date:
    return utcnow().astimezone(LOCAL_ZONE).date()


_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def iso_time_from_norwegian(text: str) -> str:
    """«12.00» or «9:30» as ``12:00`` / ``09:30``; anything else as it came."""
    match = _CLOCK.match(text.strip())
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else text


def field_problems(details, prefix: str = "") -> list[str]:
    """A validation error's details as lines a person reads: «Produkt: Må være et heltall.», nested
    fields and list rows named as well («Deler, rad 2: …»)."""
    lines: list[str] = []
    for key, value in (details or {}).items():
        if key == "report":
            continue
        name = f"rad {key + 1}" if isinstance(key, int) else field_label(str(key))
        label = f"{prefix}, {name}" if prefix else name
        if isinstance(value, dict):
            lines += field_problems(value, label)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                lines += field_problems(item, label)
        elif isinstance(value, list):
            lines.append(f"{label}: " + " ".join(str(v) for v in value))
        else:
            lines.append(f"{label}: {value}")
    return lines
