"""The full export (an archive of every table, with or without personal data) and reading one back
into an empty database. Above every package, like ``queries.py``: it reads all the models through
their metadata. ``tables.py`` (what is in it), ``export.py`` (the streamed zip), ``readme.py`` (the
format's README), ``importing.py``, ``cli.py`` (``hjelpemiddel export``, ``import-archive``),
``views.py`` (``/admin/eksport``)."""


def blueprints():
    from .views import bp

    return [bp]
