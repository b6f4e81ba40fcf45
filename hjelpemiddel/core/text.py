"""Words and times as the depot's people read them: field names in bokmål, times in Norway's zone."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from .db import utcnow

LOCAL_ZONE = ZoneInfo("Europe/Oslo")

FIELD_LABELS = {
    "fnr": "Fødselsnummer", "name": "Navn", "address": "Adresse", "postcode": "Postnummer", "city": "Poststed",
    "kommunenummer": "Kommunenummer", "phone": "Telefon", "contact_phone": "Kontaktpersonens telefon",
    "access_notes": "Adkomst", "contact_name": "Kontaktperson", "purpose": "Formål",
    "reason": "Begrunnelse", "decision": "Vedtak", "note": "Merknad", "notes": "Merknad",
    "hms_nr": "HMS-nr", "iso_class": "ISO-klasse", "supplier": "Leverandør", "individually_tracked": "Individmerket",
    "inspection_interval_days": "Kontrollintervall", "serial_number": "Serienummer", "owner": "Eier",
    "nav_hms_nr": "HMS-nr (NAV)", "nav_serial": "NAV-serienummer", "condition": "Tilstand", "barcode": "Strekkode",
    "device_barcode": "Strekkode", "barcodes": "Strekkoder", "location_code": "Lokasjon", "product_id": "Produkt",
    "code": "Kode", "kind": "Type", "parent_code": "Overordnet lokasjon", "capacity": "Kapasitet",
    "citizen_id": "Innbygger", "needed_by": "Trengs innen", "urgency": "Hastegrad",
    "discharge_date": "Utskrivningsdato", "quantity": "Antall", "application_type": "Søknadstype",
    "delivery_address": "Leveringsadresse", "requested_by": "Meldt av", "new_end": "Ny sluttdato",
    "method": "Vaskemetode", "results": "Sjekkliste", "fail_reason": "Begrunnelse for avvik", "layout": "Etikettoppsett",
    "start_position": "Startposisjon", "count": "Antall", "username": "Brukernavn", "role": "Rolle",
    "password": "Passord", "received_by": "Mottatt av", "need_id": "Behov", "header": "Overskrift", "file": "Fil",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field)


def local_time(value: datetime) -> datetime:
    return value.astimezone(LOCAL_ZONE)


def local_today() -> date:
    return utcnow().astimezone(LOCAL_ZONE).date()
