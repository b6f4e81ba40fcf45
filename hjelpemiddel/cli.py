"""The ``hjelpemiddel`` command. Each command commits once, at its end."""
from __future__ import annotations

import os
import shutil
import sys

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .config import REPO_ROOT
from .core.db import declare_write_intent, get_database, get_session
from .core.errors import AppError

DEMO_PASSWORD = "demo-passord"
DEMO_USERS = [("lager", "lager", "Lise Lager"), ("terapeut", "terapeut", "Tone Terapeut"),
              ("sjafor", "sjafor", "Sindre Sjåfør"), ("admin", "admin", "Anne Admin")]


# The path without its query string (searches carry names) and no referrer (a page's address with
# its query); the request id ties the line to the app's own log records.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss request=%({x-request-id}o)s'


def _fail(error: AppError) -> None:
    raise click.ClickException(error.message)


def alembic_config(connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.attributes["connection"] = connection
    return config


def upgrade_database(app: Flask, revision: str = "head") -> None:
    with get_database(app).engine.begin() as connection:
        alembic_command.upgrade(alembic_config(connection), revision)


@click.group("db", help="Databasen: migreringer.")
def db_cli() -> None:
    pass


@db_cli.command("upgrade", help="Kjør migreringene opp til siste versjon.")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    upgrade_database(current_app, revision)
    click.echo(f"Databasen er oppgradert ({revision}).")


@db_cli.command("downgrade", help="Rull migreringene tilbake (f.eks. til 'base').")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    with get_database().engine.begin() as connection:
        alembic_command.downgrade(alembic_config(connection), revision)
    click.echo(f"Databasen er rullet tilbake til {revision}.")


@click.group("users", help="Brukere.")
def users_cli() -> None:
    pass


@users_cli.command("create", help="Opprett en bruker.")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["lager", "terapeut", "sjafor", "admin"]))
@click.option("--password", required=True)
@click.option("--name", "full_name", default="")
def users_create(username: str, role: str, password: str, full_name: str) -> None:
    from .core.auth import create_user

    session = get_session()
    try:
        create_user(session, username, role, password, full_name)
    except AppError as err:
        _fail(err)
    session.commit()
    click.echo(f"Bruker {username} ({role}) er opprettet.")


@click.group("tokens", help="API-tokens.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("create", help="Lag et API-token; tokenet står alene på siste linje.")
@click.argument("username")
def tokens_create(username: str) -> None:
    from .core.auth import create_token

    session = get_session()
    try:
        token = create_token(session, username)
    except AppError as err:
        _fail(err)
    session.commit()
    click.echo(f"Nytt API-token for {username} (vises bare nå):")
    click.echo(token)


@click.command("demo", help="Fyll en tom database med et demolager (deterministisk).")
@click.option("--seed", default=2026, show_default=True)
def demo(seed: int) -> None:
    from .demo import database_is_empty, load_demo

    session = get_session()
    if not database_is_empty(session):
        click.echo("Databasen har allerede data; demodata ble ikke lagt inn.")
        return
    try:
        summary = load_demo(session, seed=seed, users=DEMO_USERS, password=DEMO_PASSWORD,
                            vault=current_app.extensions["fnr_vault"])
    except AppError as err:
        _fail(err)
    session.commit()
    click.echo("Demolager lagt inn: " + ", ".join(f"{count} {what}" for what, count in summary.items()))
    click.echo(f"Logg inn som lager, terapeut, sjafor eller admin med passordet «{DEMO_PASSWORD}».")


@click.command("serve", help="Start tjenesten (gunicorn; Flasks egen server der gunicorn ikke finnes).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=4, show_default=True)
def serve(host: str, port: int, workers: int, threads: int) -> None:
    click.echo(f"Hjelpemiddel kjører på http://{host}:{port}/")
    gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if os.name == "posix" and os.path.exists(gunicorn):
        os.execv(gunicorn, [gunicorn, "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
                            "--bind", f"{host}:{port}", "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT,
                            "hjelpemiddel.wsgi:app"])
    current_app.run(host=host, port=port, threaded=True)


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
    from .nav.cli import nav_cli

    nav_cli.add_command(seed_fake)  # demo only: NAV's side of the demo, told to the fake NAV
    for command in (db_cli, users_cli, tokens_cli, demo, serve, nav_cli):
        app.cli.add_command(command)


def _create_app() -> Flask:
    from . import create_app

    return create_app()


# The `hjelpemiddel` command; tests invoke it in-process on their own app (``ScriptInfo(create_app=…)``).
cli = FlaskGroup(create_app=_create_app, add_version_option=False, help="Hjelpemiddel – hjelpemiddellageret.")


def main() -> None:
    # Commands write (users, tokens, demo, NAV jobs): on SQLite each transaction takes the write lock
    # when it begins and queues on the busy timeout, as a request that writes does; a transaction
    # that read first and wrote later would fail at once with «database is locked» instead.
    declare_write_intent()
    cli(prog_name="hjelpemiddel")
