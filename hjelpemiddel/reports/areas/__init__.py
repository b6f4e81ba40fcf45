"""One module per report area, each with

- ``KEY`` (the page's path part, bokmål: «ventetid», «gjenbruk», «logistikk», «vedlikehold», «nav»)
  and ``TITLE``;
- ``build(session, scope) -> Section``: every figure and chart of the area for a ``Scope``;
- ``rows(session, scope, figure_key, page) -> RowsPage``: the rows behind one figure (``NotFound``
  for a key the area does not have).

``AREAS`` lists them in the order the pages show them."""
from __future__ import annotations

from . import logistics, nav, reuse, upkeep, waiting

AREAS: dict = {m.KEY: m for m in (waiting, nav, reuse, logistics, upkeep)}
