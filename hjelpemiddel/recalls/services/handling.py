"""What happens to a recalled unit later, from the events of the packages below: released from the
recall's quarantine, it is handled; back on the shelf without one (collected from a home, washed and
inspected), it is taken out of use before anyone lends it."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...core.db import utcnow
from ...maintenance.models import Quarantine
from ...maintenance.services import quarantine_device
from ...stock.events import DeviceBecameAvailable
from ...stock.lifecycle import STATE_LABELS, DeviceState
from ...stock.models import Device
from ..models import Recall, RecallUnit
from .register import quarantine_text


def recall_unit_back_on_shelf(session: Session, event: DeviceBecameAvailable) -> None:
    """Handler: a unit became free. For each open recall still waiting for it: a release from the
    recall's quarantine marks it handled; a unit that never got one (it was out with a citizen) and is
    to be quarantined or scrapped is quarantined now."""
    rows = session.execute(select(RecallUnit, Recall).join(Recall, Recall.id == RecallUnit.recall_id)
                           .where(RecallUnit.device_id == event.device_id, RecallUnit.status == "open",
                                  Recall.status == "open").order_by(RecallUnit.id)).all()
    for unit, recall in rows:
        quarantine = session.get(Quarantine, unit.quarantine_id) if unit.quarantine_id else None
        if quarantine is not None and quarantine.released_at is not None:
            unit.status, unit.handled_by_id, unit.handled_at = "handled", event.actor_id, utcnow()
            unit.action_taken = (f"Sluppet fra karantene til «{STATE_LABELS[DeviceState.AVAILABLE]}»"
                                 + (f": {quarantine.release_note}" if quarantine.release_note else ""))
        elif quarantine is None and recall.action in ("quarantine", "scrap"):
            device = session.get(Device, event.device_id)
            session.refresh(device, ["state"])
            if device.state == DeviceState.QUARANTINED:
                continue
            unit.quarantine_id = quarantine_device(session, event.actor_id, device.barcode, "recall",
                                                   quarantine_text(recall)).id
            unit.quarantine_pending = False
    session.flush()
