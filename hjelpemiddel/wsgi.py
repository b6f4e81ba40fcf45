"""WSGI entry point for gunicorn: ``gunicorn hjelpemiddel.wsgi:app``."""
import gc

from . import create_app

app = create_app()
# What start-up built (modules, schemas, mappers) lives as long as the worker: kept out of the
# collector's way, a full collection walks only what requests made.
gc.freeze()
