"""Inspection checklists per product type, chosen by the longest matching ISO 9999 prefix."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Checklist:
    name: str
    title: str
    items: dict[str, str]  # key → what to check, in bokmål


_GENERAL = {"clean": "Rengjort og tørr", "function": "Fungerer som tiltenkt", "damage": "Ingen skader eller skarpe kanter",
            "label": "Strekkodeetikett lesbar"}

CHECKLISTS: dict[str, Checklist] = {
    "1206": Checklist("rollator", "Rullator og gåhjelpemidler", {
        "brakes": "Bremser tar jevnt på begge sider", "wheels": "Hjul og lagre hele, ingen slark",
        "frame": "Ramme og sammenlegging uten sprekker", "height": "Høydejustering låser", **_GENERAL}),
    "1222": Checklist("wheelchair", "Manuell rullestol", {
        "brakes": "Parkeringsbremser holder", "tyres": "Dekk og slanger hele, riktig trykk",
        "upholstery": "Sete og rygg uten rifter", "footrests": "Fotstøtter og armlener fester", **_GENERAL}),
    "1223": Checklist("powerchair", "Elektrisk rullestol", {
        "battery": "Batteri lader og holder", "controls": "Styring og nødstopp virker",
        "brakes": "Motorbrems holder i bakke", "tyres": "Dekk hele", **_GENERAL}),
    "1812": Checklist("bed", "Seng", {
        "motor": "Motorer og håndkontroll virker i alle funksjoner", "rails": "Sengehester låser og er hele",
        "cable": "Strømkabel og støpsel uten skader", "castors": "Hjulbremser holder", **_GENERAL}),
    "1236": Checklist("lift", "Personløfter", {
        "lifting": "Løft og senk med last virker", "emergency": "Nødsenk virker", "battery": "Batteri lader",
        "spreader": "Løftebøyle og kroker uten slitasje", "service_label": "Gyldig kontrollmerke", **_GENERAL}),
    "123621": Checklist("sling", "Seil til personløfter", {
        "fabric": "Stoff uten hull, slitasje eller misfarging", "seams": "Sømmer hele",
        "loops": "Stropper og løkker hele", "size_label": "Størrelses- og produktmerke lesbart", **_GENERAL}),
    "0933": Checklist("shower", "Dusj- og badehjelpemidler", {
        "frame": "Ramme uten rust og sprekker", "feet": "Gummiføtter hele", "seat": "Sete helt og festet", **_GENERAL}),
    "0912": Checklist("toilet", "Toaletthjelpemidler", {
        "fixing": "Fester og justering låser", "seat": "Sete helt", **_GENERAL}),
}
DEFAULT_CHECKLIST = Checklist("general", "Generell kontroll", dict(_GENERAL))


def checklist_for(iso_class: str) -> Checklist:
    for length in range(len(iso_class), 1, -1):
        found = CHECKLISTS.get(iso_class[:length])
        if found:
            return found
    return DEFAULT_CHECKLIST
