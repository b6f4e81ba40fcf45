"""NAV's errors: unreachable (retry later), a request refused without a code, the ``{"feil": CODE}``
refusals (one subclass per known code, with the Norwegian text to show), and records that break a rule."""
from __future__ import annotations


class NavError(Exception):
    """Anything that went wrong talking to NAV."""


class NavUnavailable(NavError):
    """NAV could not be reached or failed (5xx, timeout, connection error). Safe to retry later."""

    retryable = True


class NavRequestError(NavError):
    """NAV answered 4xx without one of its feil codes (bad request, unauthorised, unknown sak...)."""

    def __init__(self, http_status: int, detail: str = ""):
        self.http_status = http_status
        self.detail = detail
        super().__init__(f"NAV avviste forespørselen (HTTP {http_status}){': ' + detail if detail else ''}")


FEIL_MESSAGES: dict[str, str] = {
    "INGET_UTLÅN": "Hjelpemiddelet står ikke på et aktivt utlån hos NAV",
    "KAN_IKKE_BESTILLE": "Det kan ikke bestilles deler til dette hjelpemiddelet",
    "BRUKER_IKKE_FUNNET": "Brukeren som har hjelpemiddelet på utlån ble ikke funnet",
    "LAGERENHET_IKKE_FUNNET": "Fant ikke lagerenheten (hjelpemiddelsentralen) for hjelpemiddelet",
    "BESTILLE_TIL_SEG_SELV": "Du kan ikke bestille deler til et hjelpemiddel som står på utlån til deg selv",
    "ULIK_GEOGRAFISK_TILKNYTNING": "Brukeren av hjelpemiddelet tilhører en annen kommune enn innsenderen",
    "ULIK_ADRESSE_PDL_OEBS": "Brukerens adresse i folkeregisteret stemmer ikke med adressen hos NAV",
    "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER":
        "Det er sendt for mange delbestillinger til dette hjelpemiddelet siste 24 timer",
}
FEIL_HTTP_STATUS: dict[str, int] = {
    "INGET_UTLÅN": 404, "KAN_IKKE_BESTILLE": 404, "BRUKER_IKKE_FUNNET": 404,
    "LAGERENHET_IKKE_FUNNET": 404, "BESTILLE_TIL_SEG_SELV": 403,
    "ULIK_GEOGRAFISK_TILKNYTNING": 403, "ULIK_ADRESSE_PDL_OEBS": 403,
    "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER": 403,
}


class NavRefused(NavError):
    """NAV refused with one of its ``{"feil": CODE}`` answers. Never retried.

    Each known code has its own subclass (``NavRefused.for_code`` picks it); ``message`` is the
    Norwegian text to show the user.
    """

    feil_code: str = ""

    def __init__(self, feil_code: str, http_status: int):
        self.feil_code = feil_code
        self.http_status = http_status
        self.message = FEIL_MESSAGES.get(feil_code, f"NAV avviste bestillingen ({feil_code})")
        super().__init__(self.message)

    @staticmethod
    def for_code(feil_code: str, http_status: int) -> "NavRefused":
        return _REFUSAL_TYPES.get(feil_code, NavRefused)(feil_code, http_status)


class IngetUtlan(NavRefused): pass
class KanIkkeBestille(NavRefused): pass
class BrukerIkkeFunnet(NavRefused): pass
class LagerenhetIkkeFunnet(NavRefused): pass
class BestilleTilSegSelv(NavRefused): pass
class UlikGeografiskTilknytning(NavRefused): pass
class UlikAdressePdlOebs(NavRefused): pass
class ForMangeBestillingerSiste24Timer(NavRefused): pass


_REFUSAL_TYPES: dict[str, type[NavRefused]] = {
    "INGET_UTLÅN": IngetUtlan, "KAN_IKKE_BESTILLE": KanIkkeBestille,
    "BRUKER_IKKE_FUNNET": BrukerIkkeFunnet, "LAGERENHET_IKKE_FUNNET": LagerenhetIkkeFunnet,
    "BESTILLE_TIL_SEG_SELV": BestilleTilSegSelv,
    "ULIK_GEOGRAFISK_TILKNYTNING": UlikGeografiskTilknytning,
    "ULIK_ADRESSE_PDL_OEBS": UlikAdressePdlOebs,
    "FOR_MANGE_BESTILLINGER_SISTE_24_TIMER": ForMangeBestillingerSiste24Timer,
}


class RecordInvalid(ValueError):
    """A record (from NAV or to NAV) breaks a rule; ``field`` names the offending field."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        self.message = message
        super().__init__(f"{field_name}: {message}")


class PartOrderInvalid(RecordInvalid):
    """A spare-part order breaks one of NAV's rules (checked before sending, or reported by NAV)."""


class ApplicationInvalid(RecordInvalid):
    """An application (søknad) breaks one of NAV's rules (checked before sending, or reported by NAV)."""
