"""``hjelpemiddel reports …``: the monthly report (the NAV worker makes last month's on the 1st)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from ..core.db import get_database, utcnow
from ..core.text import local_today


@click.group("reports", help="Rapporter (styringsdata).")
def reports_cli() -> None:
    pass


def run_monthly_report(session_factory, depot: str) -> str:
    """Last month's report if it has not been made; one commit."""
    from .monthly import make_due_monthly_report, month_label

    with session_factory() as session:
        month = make_due_monthly_report(session, local_today(), depot, utcnow())
        session.commit()
    return f"Månedsrapport for {month_label(month)} er laget." if month else "Månedsrapporten for forrige måned finnes."


@reports_cli.command("monthly", help="Lag og ta vare på månedsrapporten (standard: forrige måned).")
@click.option("--month", default=None, help="Måneden som åååå-mm.")
@with_appcontext
def monthly_command(month: str | None) -> None:
    from ..core.errors import AppError
    from ..core.http import parse
    from .monthly import month_key, month_label, store_monthly_report
    from .schemas import MonthQuery
    from .areas._calendar import add_months

    try:
        month = parse(MonthQuery(), {"month": month or month_key(add_months(local_today(), -1))})["month"]
    except AppError as err:
        raise click.ClickException(err.message) from None
    with get_database().session_factory() as session:
        store_monthly_report(session, month, current_app.config["DEPOT_NAME"], utcnow())
        session.commit()
    click.echo(f"Månedsrapport for {month_label(month)} er laget.")


@reports_cli.command("rebuild", help="Skriv ventetidene på nytt for alle leverte behov (etter en masseinnlasting).")
@with_appcontext
def rebuild_command() -> None:
    from .waits import rebuild_need_waits

    with get_database().session_factory() as session:
        written = rebuild_need_waits(session)
        session.commit()
    click.echo(f"Ventetid skrevet for {written} leverte behov.")
