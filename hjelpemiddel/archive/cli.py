"""``hjelpemiddel export`` and ``hjelpemiddel import-archive``."""
from __future__ import annotations

import os
import sys
from datetime import date

import click
from flask import current_app

from ..core.db import get_database, get_session
from ..core.errors import AppError
from .export import archive_chunks, read_snapshot
from .importing import import_archive


def default_name(personal: bool, day: date | None = None) -> str:
    return f"hjelpemiddel-eksport{'' if personal else '-uten-personopplysninger'}-{(day or date.today()).isoformat()}.zip"


@click.command("export", help="Full eksport av alle data som ett zip-arkiv (JSON lines per tabell, manifest og README).")
@click.option("--without-personal-data", is_flag=True, help="Uten fødselsnummer, navn, adresser, telefoner og fritekst.")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Filen arkivet skrives til ('-' for standard ut). Standard: hjelpemiddel-eksport-<dato>.zip.")
def export_cli(without_personal_data: bool, output: str | None) -> None:
    personal = not without_personal_data
    output = output or default_name(personal)
    vault = current_app.extensions["fnr_vault"]
    size = 0
    handle = sys.stdout.buffer if output == "-" else open(output, "wb")
    try:
        with read_snapshot(get_database()) as connection:
            for chunk in archive_chunks(connection, vault, personal):
                handle.write(chunk)
                size += len(chunk)
    except RuntimeError:  # an fnr this installation's keys cannot read: no half archive left
        if handle is not sys.stdout.buffer:
            handle.close()
            os.unlink(output)
        raise click.ClickException("Eksporten ble avbrutt: et fødselsnummer kunne ikke dekrypteres (feil eller "
                                   "manglende FNR_ENCRYPTION_KEYS). Ingen fil er skrevet.") from None
    finally:
        if handle is not sys.stdout.buffer:
            handle.close()
    if output != "-":
        click.echo(f"Eksporten er skrevet til {output} ({size / 1e6:.1f} MB)."
                   + (" Den inneholder fødselsnummer i klartekst: oppbevar den deretter." if personal else ""))


@click.command("import-archive", help="Les en full eksport inn i en tom, migrert database.")
@click.argument("file", type=click.File("rb"))
def import_archive_cli(file) -> None:
    vault = current_app.extensions["fnr_vault"]
    session = get_session()
    try:
        counts = import_archive(session.connection(), vault, file,
                                progress=lambda name, rows: click.echo(f"  {name}: {rows}", err=True))
    except AppError as err:
        raise click.ClickException(err.message) from None
    session.commit()
    click.echo(f"Arkivet er lest inn: {sum(counts.values())} rader i {len(counts)} tabeller.")
