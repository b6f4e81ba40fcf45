"""Demo only: tell the fake NAV server what NAV would know about the demo citizens, so the sync,
receiving and part orders have something real to work on. Never used against a real NAV."""
from __future__ import annotations

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.models import Product
from ..citizens.models import Citizen
from ..core.crypto import FnrVault
from ..lending.models import Need

# NAV devices some demo citizens already have at home (for «Hent NAV-utlån»).
_AT_HOME = [("236958", "Panthera U3 Light rullestol", "12220301"), ("177946", "Rollator Topro Olympos", "12060601")]


def seed_fake_nav(session: Session, vault: FnrVault, base_url: str) -> dict[str, int]:
    control = f"{base_url.rstrip('/')}/_control"
    probe = requests.get(f"{control}/stats", timeout=5)
    if probe.status_code != 200:
        raise RuntimeError(f"{base_url} er ikke en falsk NAV-server (fant ikke /_control).")
    approved = 0
    waiting = session.execute(select(Need, Product, Citizen).join(Product, Product.id == Need.product_id)
                              .join(Citizen, Citizen.id == Need.citizen_id)
                              .where(Need.application_type == "long_term", Need.status == "sent_to_nav")
                              .order_by(Need.id)).all()
    for need, product, citizen in waiting:
        if not product.hms_nr:
            continue
        answer = requests.post(f"{control}/approve", timeout=10, json={
            "fnr": vault.decrypt(citizen.fnr_encrypted), "hmsnr": product.hms_nr, "description": product.name,
            "category_num": product.iso_class.ljust(8, "0")[:8], "serienr": f"{500000 + need.id}",
            "ordre_number": str(7_000_000 + need.id),
            "status": "SHIPPED" if approved % 2 else "BOOKED"})
        approved += answer.status_code == 201
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
    return {"godkjente langtidslån": approved, "innbyggere med NAV-utlån": at_home}
