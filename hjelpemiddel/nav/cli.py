"""``hjelpemiddel nav …``: sync with NAV, deliver the outbox, run on a schedule, import files, and
run the fake NAV server for development."""
from __future__ import annotations

import sys
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.db import get_database, get_session
from ..core.errors import AppError


@click.group("nav", help="NAV: synkronisering, utboks og en falsk NAV-server for utvikling.")
def nav_cli() -> None:
    pass


class _Progress:
    """A progress bar on stderr: a real bar when NAV says how much remains, a counter otherwise."""

    WIDTH = 30

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.total: int | None = None

    def __call__(self, summary, page) -> None:
        done = summary.applied.received
        if page.remaining is not None:
            self.total = done + page.remaining
        rate = done / max(time.monotonic() - self.started, 1e-6)
        if self.total:
            filled = int(self.WIDTH * done / self.total)
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            line = f"\r[{bar}] {done:>7}/{self.total} ordrelinjer · {rate:,.0f}/s"
        else:
            line = f"\r{done:>7} ordrelinjer · {summary.pages} sider · {rate:,.0f}/s"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _run(callable_):
    try:
        return callable_()
    except AppError as err:
        raise click.ClickException(err.message) from None


@nav_cli.command("sync", help="Hent ordrelinjer endret siden forrige gang (fortsetter der en avbrutt synk slapp).")
@click.option("--from-start", is_flag=True, help="Hent alt på nytt (ingenting dobles).")
@click.option("--page-size", type=click.IntRange(1, 1000), default=None)
@click.option("--quiet", is_flag=True, help="Ingen fremdriftslinje.")
@with_appcontext
def sync(from_start: bool, page_size: int | None, quiet: bool) -> None:
    from . import get_port, jobs

    progress = None if quiet else _Progress()
    summary = _run(lambda: jobs.run_all(get_database().session_factory, get_port(), current_app.extensions["fnr_vault"],
                                        page_size or current_app.config["NAV_PAGE_SIZE"], progress=progress,
                                        from_start=from_start, force_outbox=True))
    if progress:
        progress.close()
    if summary.skipped:
        click.echo("En annen prosess henter ordrelinjer fra NAV akkurat nå; denne synken ble hoppet over.")
    applied = summary.applied
    click.echo(f"Ordrelinjer: {applied.new} nye, {applied.updated} endret, {applied.unchanged} uendret; "
               f"{applied.needs_matched} koblet til behov; {summary.pages} sider.")
    if summary.outbox:
        click.echo("Utboks: " + _outbox_counts(summary.outbox))
    if not summary.ok:
        raise click.ClickException(f"NAV svarte ikke: {summary.error}. Kjør igjen; synken fortsetter der den slapp.")


@nav_cli.command("outbox", help="Send det som venter i utboksen til NAV nå.")
@with_appcontext
def outbox() -> None:
    from . import get_port, jobs

    counts = _run(lambda: jobs.deliver_outbox(get_database().session_factory, get_port(),
                                              current_app.extensions["fnr_vault"], force=True))
    click.echo("Utboks: " + (_outbox_counts(counts) or "ingenting å sende"))


_OUTBOX_LABELS = {"sent": "sendt", "refused": "avvist av NAV", "pending": "venter", "skipped": "sendt av en annen prosess"}


def _outbox_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} {_OUTBOX_LABELS.get(status, status)}" for status, count in counts.items())


@nav_cli.command("worker", help="Kjør synk og utboks etter timeplanen (NAV_SYNC_INTERVAL_MINUTES).")
@click.option("--once", is_flag=True, help="Én runde, så avslutt.")
@with_appcontext
def worker(once: bool) -> None:
    from ..privacy import run_retention_for
    from ..twin.cli import run_checkpoints  # the twin's upkeep rides on this daily loop, as retention does
    from ..recalls.cli import run_recall_quarantines
    from ..reports.cli import run_monthly_report
    from ..upkeep.cli import run_visit_planning
    from . import get_port, jobs

    interval = float(current_app.config["NAV_SYNC_INTERVAL_MINUTES"]) * 60
    factory, vault = get_database().session_factory, current_app.extensions["fnr_vault"]
    next_sync = next_retention = 0.0
    while True:
        if time.monotonic() >= next_retention:  # privacy retention (hjelpemiddel privacy retention), daily
            next_retention = time.monotonic() + 86400
            click.echo(run_retention_for(factory, current_app.config))
            click.echo(run_checkpoints(factory))
            click.echo(run_visit_planning(factory))
            click.echo(run_monthly_report(factory, current_app.config["DEPOT_NAME"]))
        written, said = run_recall_quarantines(factory)  # a large recall's quarantines wait for no schedule
        if written:
            click.echo(said)
        port = _run(get_port)
        if time.monotonic() >= next_sync:
            summary = jobs.run_all(factory, port, vault, current_app.config["NAV_PAGE_SIZE"])
            click.echo(f"NAV-synk: {summary.applied.new} nye, {summary.applied.updated} endret"
                       + (f"; feil: {summary.error}" if summary.error else ""))
            next_sync = time.monotonic() + interval
        else:
            jobs.deliver_outbox(factory, port, vault)  # the outbox waits for no schedule
        if once:
            return
        time.sleep(min(30.0, interval))


@nav_cli.command("import-file", help="Les ordrelinjer fra en NAV-eksport (JSON eller CSV).")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_file(path: str) -> None:
    from integrations.nav.file_transport import OrderLineFileError, read_order_lines

    from .services import apply_order_lines

    try:
        lines = read_order_lines(path)
    except OrderLineFileError as err:
        raise click.ClickException(str(err)) from None
    session = get_session()
    result = apply_order_lines(session, current_app.extensions["fnr_vault"], lines)
    session.commit()
    click.echo(f"{path}: {result.new} nye, {result.updated} endret, {result.unchanged} uendret ordrelinjer.")


@nav_cli.command("fake-server", help="Start en falsk NAV-server (for utvikling, demo og tester).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8099, show_default=True)
@click.option("--seed", default=1, show_default=True)
@click.option("--token", default=None, help="Token serveren krever (standard: NAV_TOKEN eller fake-nav-token).")
@click.option("--state-file", type=click.Path(dir_okay=False), default=None,
              help="JSON-fil som tar vare på tilstanden mellom omstarter (lastes ved start, lagres etter hver endring).")
def fake_server(host: str, port: int, seed: int, token: str | None, state_file: str | None) -> None:
    import os

    from integrations.nav import fake_server as fake

    fake.main(["--host", host, "--port", str(port), "--seed", str(seed),
               "--token", token or os.environ.get("NAV_TOKEN") or fake.DEFAULT_TOKEN,
               *(["--state-file", state_file] if state_file else [])])
