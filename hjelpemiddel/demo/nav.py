"""Demo only: tell the fake NAV server what NAV would know about the demo citizens (the NAV devices
some already have at home), and let it decide applications quickly. The demo's long-term needs reach
the fake NAV like any other: as applications through the outbox. Never used against a real NAV."""
from __future__ import annotations

import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..citizens.models import Citizen
from ..core.crypto import FnrVault
from ..nav.models import NavApplication

# NAV devices some demo citizens already have at home (for «Hent NAV-utlån»).
_AT_HOME = [("236958", "Panthera U3 Light rullestol", "12220301"), ("177946", "Rollator Topro Olympos", "12060601")]
# How soon the demo's NAV decides an application and ships what it granted (minutes).
DECIDE_AFTER, SHIP_AFTER = 1, 30


def seed_fake_nav(session: Session, vault: FnrVault, base_url: str) -> dict[str, int]:
    control = f"{base_url.rstrip('/')}/_control"
    probe = requests.get(f"{control}/stats", timeout=5)
    if probe.status_code != 200:
        raise RuntimeError(f"{base_url} er ikke en falsk NAV-server (fant ikke /_control).")
    requests.post(control, timeout=10, json={"decide_after_minutes": DECIDE_AFTER,
                                              "ship_after_minutes": SHIP_AFTER}).raise_for_status()
    at_home = 0
    citizens = session.scalars(select(Citizen).order_by(Citizen.id).limit(len(_AT_HOME) * 2)).all()
    for index, citizen in enumerate(citizens[::2]):
        hmsnr, name, iso = _AT_HOME[index % len(_AT_HOME)]
        response = requests.post(f"{control}/loans", timeout=10, json={
            "fnr": vault.decrypt(citizen.fnr_encrypted), "loans": [{
                "artikkelNr": hmsnr, "artikkelBeskrivelse": name, "serieNr": f"{610000 + citizen.id}",
                "kategoriNummer": iso, "antall": 1, "antallEnhet": "STK", "datoUtsendelse": "2024-09-02 10:00:00",
                "artikkelStatus": "I utlån", "utlånsType": "P"}]})
        at_home += response.status_code < 300
    applications = session.scalar(select(func.count()).select_from(NavApplication))
    return {"søknader til NAV": applications, "innbyggere med NAV-utlån": at_home}
