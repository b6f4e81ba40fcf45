"""``hjelpemiddel twin …``: the twin's upkeep (the NAV worker runs it daily too)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from ..core.db import get_database, utcnow


@click.group("twin", help="Lageroversikten: vedlikehold.")
def twin_cli() -> None:
    pass


def run_checkpoints(session_factory) -> str:
    """Make the month checkpoints still missing; one commit."""
    from .services import build_checkpoints

    with session_factory() as session:
        built = build_checkpoints(session, utcnow())
        session.commit()
    return f"Lageroversikten: {built} nye månedsstatuser av historikken."


@twin_cli.command("checkpoints", help="Lag månedsstatusene som gjør det raskt å se lageret slik det var.")
@with_appcontext
def checkpoints() -> None:
    click.echo(run_checkpoints(get_database().session_factory))
