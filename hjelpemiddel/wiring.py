"""Which package reacts to which event of a package below it: the one place events are wired.
``create_app`` calls ``wire()``; so does anything else that runs the services (the CLI's app is
made by ``create_app`` too)."""
from __future__ import annotations

from .core import bus
from .lending import holds
from .lending import services as lending
from .lending.events import LoanEndedAtDepot, NeedDelivered, NeedSentToNav, ReservationEnded, ReservationReplaced
from .logistics import services as logistics
from .maintenance import services as maintenance
from .maintenance.events import RepairVisitNeeded
from .nav import services as nav
from .recalls import services as recalls
from .reports.waits import record_need_wait
from .stock.events import DeviceBecameAvailable, DeviceQuarantined, DeviceRegistered, DeviceRetired


def wire() -> None:
    bus.reset()
    # A new unit under a periodic maintenance plan gets its first due date.
    bus.subscribe(DeviceRegistered, maintenance.schedule_registered_device)
    # A scrapped unit, or one gone back to NAV, is no longer due for inspection.
    bus.subscribe(DeviceRetired, maintenance.drop_retired_device)
    # A free unit goes to its booked need or the head of the queue.
    bus.subscribe(DeviceBecameAvailable, lending.offer_device_to_queue)
    # A unit taken out of use lets go of its need, which gets another unit if one is free.
    bus.subscribe(DeviceQuarantined, lending.let_go_of_quarantined)
    # A unit no longer held for a need leaves the visit planned for it; a swapped unit takes its place.
    bus.subscribe(ReservationEnded, logistics.take_unit_off_visits)
    bus.subscribe(ReservationReplaced, logistics.swap_unit_on_visits)
    # A unit handed in over the counter is no longer collected or repaired at the door.
    bus.subscribe(LoanEndedAtDepot, logistics.take_returned_unit_off_visits)
    # A repair at home becomes part of the next visit to that door.
    bus.subscribe(RepairVisitNeeded, logistics.plan_repair_visit)
    # A long-term application goes to NAV through the outbox.
    bus.subscribe(NeedSentToNav, nav.enqueue_application)
    # A recalled unit free again: handled if released from the recall's quarantine, else taken out of use.
    bus.subscribe(DeviceBecameAvailable, recalls.recall_unit_back_on_shelf)
    # A recall keeps the units it found free in the depot from lending until their quarantine is written.
    holds.reset_holds()
    holds.add_hold(recalls.RECALL_HOLD)
    # A need's last unit delivered: its waiting is noted for the reports.
    bus.subscribe(NeedDelivered, record_need_wait)
