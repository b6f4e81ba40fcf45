"""``hjelpemiddel inspections …``: periodic inspection upkeep (the NAV worker plans visits daily too)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..core.db import get_database


@click.group("inspections", help="Periodiske kontroller: frister og kontrollbesøk.")
def inspections_cli() -> None:
    pass


def run_visit_planning(session_factory) -> str:
    """Units at citizens' homes due within the warning get a visit; one commit."""
    from .services import plan_inspection_visits

    with session_factory() as session:
        planned = plan_inspection_visits(session, None)
        session.commit()
    return f"Kontroller: {planned} nye kontrollbesøk hos brukere."


@inspections_cli.command("plan-visits", help="Planlegg kontrollbesøk for enheter hos brukere som forfaller innen 30 dager.")
@with_appcontext
def plan_visits() -> None:
    click.echo(run_visit_planning(get_database().session_factory))


@inspections_cli.command("schedule", help="Regn ut neste frist for periodisk kontroll for alle enheter på nytt.")
@with_appcontext
def schedule() -> None:
    from ..maintenance.services import schedule_inspections

    with get_database().session_factory() as session:
        scheduled = schedule_inspections(session)
        session.commit()
    click.echo(f"Kontroller: {scheduled} enheter har en frist.")
