"""``hjelpemiddel recalls …``: writing the quarantine of a large recall's units (the NAV worker does it
on every round)."""
from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext

from ..core.db import declare_write_intent, get_database, reset_write_intent
from ..core.locks import exclusive_job

log = logging.getLogger(__name__)


@click.group("recalls", help="Tilbakekallinger.")
def recalls_cli() -> None:
    pass


def run_recall_quarantines(session_factory) -> tuple[int, str]:
    """Every recall's units still waiting for their quarantine, one batch per commit, so a stopped
    run goes on where it stopped; one process at a time. How many, and what to tell. A failure is
    logged, never stops the worker."""
    from .services import QUARANTINE_BATCH, apply_recall_quarantines, recalls_waiting_for_quarantine

    written = 0
    try:
        with exclusive_job(session_factory.kw["bind"], "recalls:quarantines") as ours:
            if not ours:
                return 0, "Tilbakekallinger: en annen prosess setter enheter i karantene."
            with session_factory() as session:
                recall_ids = recalls_waiting_for_quarantine(session)
            for recall_id in recall_ids:
                settled = QUARANTINE_BATCH
                while settled == QUARANTINE_BATCH:
                    token = declare_write_intent()
                    try:
                        with session_factory() as session:
                            settled = apply_recall_quarantines(session, recall_id, QUARANTINE_BATCH)
                            session.commit()
                    finally:
                        reset_write_intent(token)
                    written += settled
    except Exception:  # noqa: BLE001 (the worker's other jobs go on; the next round goes on from here)
        log.exception("recall quarantines failed")
        return written, f"Tilbakekallinger: {written} enheter satt i karantene, så stoppet det; se loggen."
    return written, f"Tilbakekallinger: {written} enheter satt i karantene."


@recalls_cli.command("quarantine", help="Sett i karantene de enhetene på lager som tilbakekallinger venter på.")
@with_appcontext
def quarantine_command() -> None:
    click.echo(run_recall_quarantines(get_database().session_factory)[1])
