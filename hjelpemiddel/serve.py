"""``hjelpemiddel serve``: gunicorn at once, without building the app in this process first (each
gunicorn worker builds it), so the service answers within a couple of seconds of the command. This
module imports nothing of the app; where gunicorn is missing (Windows) Flask's own server runs it."""
from __future__ import annotations

import logging
import os
import shutil
import sys

import click

# The path without its query string (searches carry names) and no referrer (a page's address with
# its query); the request id ties the line to the app's own log records.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss request=%({x-request-id}o)s'


@click.command("serve", help="Start tjenesten (gunicorn; Flasks egen server der gunicorn ikke finnes).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=4, show_default=True)
@click.option("--quiet", is_flag=True, help="Bare advarsler og feil: ingen tilgangslogg (for `dev.py up`).")
def serve(host: str, port: int, workers: int, threads: int, quiet: bool) -> None:
    if not quiet:
        click.echo(f"Hjelpemiddel kjører på http://{host}:{port}/")
    gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if os.name == "posix" and os.path.exists(gunicorn):
        logging_args = (["--log-level", "warning"] if quiet
                        else ["--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT])
        os.execv(gunicorn, [gunicorn, "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
                            "--bind", f"{host}:{port}", "--no-control-socket", *logging_args,
                            "hjelpemiddel.wsgi:app"])
    from . import create_app

    if quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    create_app().run(host=host, port=port, threaded=True)
