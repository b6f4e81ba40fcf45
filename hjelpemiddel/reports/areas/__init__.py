"""One module per report area; each has ``build(session, scope) -> Section``. ``AREAS`` in
``reports.services`` lists them in the order the pages show them."""
