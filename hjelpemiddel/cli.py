"""The ``hjelpemiddel`` command. Each command commits once, at its end."""
from __future__ import annotations

import logging
import os

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from .config import REPO_ROOT
from .serve import serve
from .core.db import declare_write_intent, get_database, get_session
from .core.errors import AppError

DEMO_PASSWORD = "demo-passord"
DEMO_USERS = [("lager", "lager", "Lise Lager"), ("terapeut", "terapeut", "Tone Terapeut"),
              ("sjafor", "sjafor", "Sindre Sjåfør"), ("admin", "admin", "Anne Admin")]


def _fail(error: AppError) -> None:
    raise click.ClickException(error.message)


# Alembic is imported where it is used: the app's workers, which load this module, never migrate.
def alembic_config(connection):
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade_database(app: Flask, revision: str = "head") -> None:
    from alembic import command as alembic_command

    with get_database(app).engine.begin() as connection:
        alembic_command.upgrade(alembic_config(connection), revision)


@click.group("db", help="Databasen: migreringer.")
def db_cli() -> None:
    pass


@db_cli.command("upgrade", help="Kjør migreringene opp til siste versjon.")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line below says it; not one per revision
    upgrade_database(current_app, revision)
    click.echo(f"Databasen er oppgradert ({revision}).")


@db_cli.command("downgrade", help="Rull migreringene tilbake (f.eks. til 'base').")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from alembic import command as alembic_command

    with get_database().engine.begin() as connection:
        alembic_command.downgrade(alembic_config(connection), revision)
    click.echo(f"Databasen er rullet tilbake til {revision}.")


@click.command("demo", help="Fyll en tom database med et demolager (deterministisk).")
@click.option("--seed", default=2026, show_default=True)
@click.option("--i-know-this-is-production", "in_production", is_flag=True,
              help="Kreves når HJELPEMIDDEL_ENV=production; brukerne får da tilfeldige passord.")
def demo(seed: int, in_production: bool) -> None:
    from .core.auth import User, create_user
    from .core.passwords import generate_password
    from .demo import database_is_empty, load_demo

    production = current_app.config["ENV"] == "production"
    if production and not in_production:
        raise click.ClickException("Dette er produksjon (HJELPEMIDDEL_ENV=production): demodata legges ikke inn. "
                                   "Bruk --i-know-this-is-production hvis det virkelig er meningen.")
    session = get_session()
    if not database_is_empty(session):
        click.echo("Databasen har allerede data; demodata ble ikke lagt inn.")
        return
    passwords = {}
    try:
        if production:
            # Never a password anyone can read in the README: each demo user gets a random one,
            # made here so the demo keeps them (it leaves existing users alone).
            for username, role, full_name in DEMO_USERS:
                if session.scalar(select(User.id).where(User.username == username)) is None:
                    passwords[username] = generate_password()
                    create_user(session, username, role, passwords[username], full_name)
        summary = load_demo(session, seed=seed, users=DEMO_USERS, vault=current_app.extensions["fnr_vault"],
                            password=generate_password() if production else DEMO_PASSWORD)
    except AppError as err:
        _fail(err)
    session.commit()
    click.echo("Demolager lagt inn: " + ", ".join(f"{count} {what}" for what, count in summary.items()))
    if not production and not os.environ.get("HJELPEMIDDEL_DEV_UP"):  # dev.py up says it once, at the end
        click.echo(f"Logg inn som lager, terapeut, sjafor eller admin med passordet «{DEMO_PASSWORD}».")
    elif passwords:
        click.echo("Demobrukernes passord (vises bare nå):")
        for username, password in passwords.items():
            click.echo(f"  {username}: {password}")


@click.command("seed-fake", help="Demo: gi den falske NAV-serveren NAVs side av demodataene.")
@with_appcontext
def seed_fake() -> None:
    from .demo.nav import seed_fake_nav

    base = current_app.config["NAV_BASE_URL"]
    if not base:
        raise click.ClickException("NAV_BASE_URL er ikke satt.")
    try:
        summary = seed_fake_nav(get_session(), current_app.extensions["fnr_vault"], base)
    except (RuntimeError, OSError) as err:
        raise click.ClickException(str(err)) from None
    click.echo("Falsk NAV: " + ", ".join(f"{count} {what}" for what, count in summary.items()))


def init_cli(app: Flask) -> None:
    from .accounts.cli import tokens_cli, users_cli
    from .archive.cli import export_cli, import_archive_cli
    from .citizens.cli import privacy_cli
    from .legacy.cli import import_legacy_cli
    from .nav.cli import nav_cli
    from .recalls.cli import recalls_cli
    from .twin.cli import twin_cli
    from .reports.cli import reports_cli
    from .upkeep.cli import inspections_cli

    nav_cli.add_command(seed_fake)  # demo only: NAV's side of the demo, told to the fake NAV
    for command in (db_cli, users_cli, tokens_cli, demo, nav_cli, privacy_cli, twin_cli, inspections_cli, reports_cli,
                    export_cli, import_archive_cli, import_legacy_cli, recalls_cli):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


# The `hjelpemiddel` command; tests invoke it in-process on their own app (``ScriptInfo(create_app=…)``).
cli = FlaskGroup(create_app=_create_app, add_version_option=False, help="Hjelpemiddel – hjelpemiddellageret.")
cli.add_command(serve)  # on the group itself: found without loading the app (gunicorn's workers load it)


def main() -> None:
    # Commands write (users, tokens, demo, NAV jobs): on SQLite each transaction takes the write lock
    # when it begins and queues on the busy timeout, as a request that writes does; a transaction
    # that read first and wrote later would fail at once with «database is locked» instead.
    declare_write_intent()
    cli(prog_name="hjelpemiddel")
