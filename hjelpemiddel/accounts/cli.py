"""``hjelpemiddel users …`` and ``hjelpemiddel tokens …``: each command commits once, at its end."""
from __future__ import annotations

import click
from flask import current_app

from ..core.auth import ROLE_LABELS, ROLES
from ..core.db import get_session
from ..core.errors import AppError
from ..core.text import local_time
from . import services


def _run(action):
    """Run a service call; a refusal exits non-zero with its message, success commits."""
    session = get_session()
    try:
        result = action(session)
    except AppError as err:
        raise click.ClickException(err.message) from None
    session.commit()
    return result


def _password_option(help_text: str):
    # Asked for (hidden, twice) unless given: a password on the command line ends up in shell history.
    return click.option("--password", prompt="Passord", hide_input=True, confirmation_prompt="Gjenta passordet",
                        help=help_text)


@click.group("users", help="Brukere: opprette, liste, endre rolle, deaktivere, sette passord.")
def users_cli() -> None:
    pass


@users_cli.command("create", help="Opprett en bruker.")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@_password_option("Minst 12 tegn; spørres om hvis det mangler.")
@click.option("--name", "full_name", default="")
def users_create(username: str, role: str, password: str, full_name: str) -> None:
    _run(lambda session: services.create_account(session, username, role, password, full_name))
    click.echo(f"Bruker {username} ({role}) er opprettet.")


@users_cli.command("list", help="List brukere (aktive, med --all også deaktiverte).")
@click.option("--search", "q", default=None, help="Del av brukernavn eller navn.")
@click.option("--role", type=click.Choice(ROLES), default=None)
@click.option("--all", "everyone", is_flag=True, help="Ta med deaktiverte brukere.")
def users_list(q: str | None, role: str | None, everyone: bool) -> None:
    users, total = services.list_users(get_session(), q=q, role=role, active=None if everyone else True, limit=10_000)
    for user in users:
        status = "aktiv" if user.active else "deaktivert"
        click.echo(f"{user.username:<24} {user.role:<9} {status:<10} {user.full_name}")
    click.echo(f"{total} brukere.")


@users_cli.command("set-role", help="Gi en bruker en annen rolle; brukeren logges ut overalt.")
@click.argument("username")
@click.argument("role", type=click.Choice(ROLES))
def users_set_role(username: str, role: str) -> None:
    _run(lambda session: services.change_role(session, services.user_by_username(session, username).id, role))
    click.echo(f"{username} har nå rollen {ROLE_LABELS[role].lower()}.")


@users_cli.command("deactivate", help="Deaktiver en bruker: logges ut overalt, og API-tokenene slutter å virke.")
@click.argument("username")
def users_deactivate(username: str) -> None:
    _run(lambda session: services.deactivate_user(session, services.user_by_username(session, username).id))
    click.echo(f"{username} er deaktivert.")


@users_cli.command("reactivate", help="Aktiver en deaktivert bruker igjen.")
@click.argument("username")
def users_reactivate(username: str) -> None:
    _run(lambda session: services.reactivate_user(session, services.user_by_username(session, username).id))
    click.echo(f"{username} er aktiv igjen.")


@users_cli.command("set-password", help="Sett nytt passord; brukeren logges ut overalt.")
@click.argument("username")
@_password_option("Minst 12 tegn; spørres om hvis det mangler.")
def users_set_password(username: str, password: str) -> None:
    _run(lambda session: services.reset_password(session, services.user_by_username(session, username).id, password))
    click.echo(f"Passordet til {username} er endret.")


@click.group("tokens", help="API-tokens: lage, liste, tilbakekalle.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("create", help="Lag et API-token; tokenet står alene på siste linje.")
@click.argument("username")
@click.option("--label", default="", help="Hva tokenet brukes til.")
def tokens_create(username: str, label: str) -> None:
    token = _run(lambda session: services.create_token(session, username, label))
    click.echo(f"Nytt API-token for {username} (vises bare nå):")
    click.echo(token)


@tokens_cli.command("list", help="List API-tokens som er i bruk (med --all også tilbakekalte).")
@click.option("--user", "username", default=None, help="Bare denne brukerens tokens.")
@click.option("--all", "everything", is_flag=True, help="Ta med tilbakekalte tokens.")
def tokens_list(username: str | None, everything: bool) -> None:
    session = get_session()
    try:
        user_id = services.user_by_username(session, username).id if username else None
    except AppError as err:
        raise click.ClickException(err.message) from None
    rows = services.list_tokens(session, user_id=user_id, include_revoked=everything)
    for row in rows:
        status = f"tilbakekalt {local_time(row.revoked_at):%d.%m.%Y %H:%M}" if row.revoked_at else "i bruk"
        click.echo(f"{row.id:>6} {row.username:<24} {local_time(row.created_at):%d.%m.%Y %H:%M}  {status:<28} {row.label}")
    click.echo(f"{len(rows)} tokens.")


@tokens_cli.command("revoke", help="Tilbakekall et API-token (nummeret fra «tokens list»).")
@click.argument("token_id", type=click.IntRange(1, 2**31 - 1))
def tokens_revoke(token_id: int) -> None:
    row = _run(lambda session: services.revoke_token(session, token_id))
    seconds = current_app.config["TOKEN_CACHE_SECONDS"]
    click.echo(f"API-token {row.id} for {row.username} er tilbakekalt; det slutter å virke innen {seconds:g} sekunder.")
