"""WSGI entry point for gunicorn: ``gunicorn hjelpemiddel.wsgi:app``."""
from . import create_app

app = create_app()
