"""``hjelpemiddel privacy …``: retention (anonymise inactive citizens, delete the old fnr access log)
and key rotation for the fødselsnummer."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.db import get_database


@click.group("privacy", help="Personvern: sletting etter oppbevaringstiden og nøkkelbytte for fødselsnummer.")
def privacy_cli() -> None:
    pass


@privacy_cli.command("retention", help="Anonymiser innbyggere uten aktivitet i CITIZEN_RETENTION_MONTHS og slett "
                                       "tilgangsloggen eldre enn ACCESS_LOG_RETENTION_MONTHS, i bolker.")
@click.option("--dry-run", is_flag=True, help="Bare tell hva som ville blitt anonymisert og slettet.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=200, show_default=True)
@with_appcontext
def retention(dry_run: bool, batch_size: int) -> None:
    from ..privacy import run_retention

    config = current_app.config
    summary = run_retention(get_database().session_factory, config["CITIZEN_RETENTION_MONTHS"],
                            config["ACCESS_LOG_RETENTION_MONTHS"], dry_run=dry_run, batch_size=batch_size)
    click.echo(str(summary))


@privacy_cli.command("rotate-keys", help="Krypter alle fødselsnumre på nytt med den første nøkkelen i "
                                         "FNR_ENCRYPTION_KEYS og regn ut oppslagsnøklene med FNR_HASH_KEY. "
                                         "Kan avbrytes og kjøres igjen.")
@click.option("--old-hash-key", envvar="FNR_OLD_HASH_KEY", default="",
              help="Den forrige FNR_HASH_KEY (eller miljøvariabelen FNR_OLD_HASH_KEY): oppslag finner fortsatt "
                   "dem som ikke er regnet om ennå, og avvik telles.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=500, show_default=True)
@click.option("--max-batches", type=click.IntRange(1), default=None, help="Stopp etter så mange bolker.")
@with_appcontext
def rotate_keys(old_hash_key: str, batch_size: int, max_batches: int | None) -> None:
    from ..core.crypto import vault_from_config
    from .jobs import rotate_keys as run

    config = {**current_app.config, "FNR_OLD_HASH_KEY": old_hash_key or current_app.config.get("FNR_OLD_HASH_KEY", "")}
    vault = vault_from_config(config, current_app.instance_path)
    summary = run(get_database().session_factory, vault, batch_size, max_batches)
    click.echo(f"Nøkkelbytte: {summary.seen} innbyggere gått gjennom i {summary.batches} bolker; "
               f"{summary.reencrypted} kryptert på nytt, {summary.rehashed} nye oppslagsnøkler, "
               f"{summary.misses_rehashed} bomoppslag i loggen fulgte med."
               + (f" {summary.unexpected_hashes} hadde en oppslagsnøkkel fra ingen av nøklene." if summary.unexpected_hashes else ""))
    if not summary.finished:
        click.echo("Ikke ferdig: kjør kommandoen igjen for å fortsette.")
