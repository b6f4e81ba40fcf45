"""``hjelpemiddel import-legacy FILE... [--dry-run] [--report report.csv]``."""
from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from ..core.auth import User
from ..core.db import get_session
from ..core.errors import AppError
from .reading import read_file
from .services import OUTCOME_LABELS, import_tables

REPORT_HEADINGS = ["Fil", "Linje", "Utfall", "Nøkkel", "Melding"]


@click.command("import-legacy", help="Importer regneark fra det gamle systemet (CSV/XLSX). Prøv med --dry-run først.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Vis hva som ville skjedd, uten å lagre noe.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Skriv radrapporten som CSV hit.")
@click.option("--as", "username", default="admin", show_default=True, help="Administratoren importen føres på.")
def import_legacy_cli(files: tuple[str, ...], dry_run: bool, report_path: str | None, username: str) -> None:
    session = get_session()
    actor = session.scalar(select(User).where(User.username == username, User.role == "admin"))
    if actor is None:
        raise click.ClickException(f"Fant ingen administrator «{username}» (bruk --as).")
    try:
        tables = [t for name in files for t in read_file(Path(name).name, Path(name).read_bytes())]
    except AppError as error:
        raise click.ClickException(error.message)
    total = sum(len(t.rows) for t in tables)
    vault = current_app.extensions["fnr_vault"]
    with click.progressbar(length=total, label="Importerer", file=sys.stderr) as bar:
        outcomes = import_tables(session, vault, actor.id, tables, dry_run=dry_run, progress=bar.update)
    if not dry_run:
        session.commit()  # refused rows left nothing behind (their savepoints were rolled back)
    if report_path:
        with open(report_path, "w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(REPORT_HEADINGS)
            for o in outcomes:
                writer.writerow([o.source, o.line, OUTCOME_LABELS[o.outcome], o.key, o.message])
    for o in outcomes:
        if o.outcome == "refused":
            click.echo(f"{o.source} linje {o.line}: avvist – {o.message}", err=True)
    counts = Counter(o.outcome for o in outcomes)
    click.echo(("Prøvekjøring: " if dry_run else "") + ", ".join(
        f"{counts.get(k, 0)} {label}" for k, label in OUTCOME_LABELS.items()) + ".")
    if counts.get("refused"):
        raise SystemExit(1)
