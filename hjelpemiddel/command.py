"""The ``hjelpemiddel`` command: ``serve`` starts gunicorn straight away (``serve.py``); every other
command is the Flask CLI (``cli.py``), which builds the app."""
from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        from .serve import serve

        serve(args=sys.argv[2:], prog_name="hjelpemiddel serve")
    from .cli import main as cli_main

    cli_main()
