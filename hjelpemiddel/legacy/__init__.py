"""Import of an old system's spreadsheets (issue 15): products, locations, devices, citizens with loans."""
# ``reading.py`` (files to rows), ``services.py`` (rows through the owning services), ``cli.py``
# (``hjelpemiddel import-legacy``), ``views.py`` (``/admin/import``).


def blueprints():
    from .views import bp

    return [bp]
