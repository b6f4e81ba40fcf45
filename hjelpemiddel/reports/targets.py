"""The municipality's delivery targets per urgency (defaults until an admin sets its own), which the
waiting report measures against."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.db import utcnow
from ..core.errors import ValidationFailed
from .models import DEFAULT_TARGETS, TARGET_UNITS, ServiceTarget

UNIT_LABELS = {"working_days": "virkedager", "hours": "timer"}
LIMITS = {"working_days": 60, "hours": 24 * 30}


@dataclass(frozen=True)
class Target:
    amount: int
    unit: str

    @property
    def text(self) -> str:
        return f"{self.amount} {UNIT_LABELS[self.unit]}"


def load_targets(session: Session) -> dict[str, Target]:
    """Every urgency's target, in the order of ``DEFAULT_TARGETS``."""
    stored = {row.urgency: Target(row.amount, row.unit) for row in session.scalars(select(ServiceTarget))}
    return {urgency: stored.get(urgency, Target(*default)) for urgency, default in DEFAULT_TARGETS.items()}


def save_targets(session: Session, actor_id: int | None, values: dict[str, dict]) -> dict[str, Target]:
    """Set the targets given (``{"urgent": {"amount": 24, "unit": "hours"}}``), all or none."""
    problems = {}
    for urgency, value in values.items():
        if urgency not in DEFAULT_TARGETS:
            problems[urgency] = ["Ukjent hastegrad."]
        elif value["unit"] not in TARGET_UNITS:
            problems[urgency] = ["Velg virkedager eller timer."]
        elif not 1 <= value["amount"] <= LIMITS[value["unit"]]:
            problems[urgency] = [f"Må være mellom 1 og {LIMITS[value['unit']]} {UNIT_LABELS[value['unit']]}."]
    if problems:
        raise ValidationFailed("Sjekk målene: " + ", ".join(sorted(problems)) + ".", problems)
    for urgency, value in values.items():
        row = session.get(ServiceTarget, urgency)
        if row is None:
            session.add(ServiceTarget(urgency=urgency, amount=value["amount"], unit=value["unit"],
                                      updated_by_id=actor_id, updated_at=utcnow()))
        else:
            row.amount, row.unit, row.updated_by_id = value["amount"], value["unit"], actor_id
    session.flush()
    return load_targets(session)
