"""Sortable columns: a header sorts by its column (again: the other way), keeps the filters, says
which column is sorted (aria-sort), and anything else in ``sort``/``retning`` sorts by the default."""
from __future__ import annotations

import re

import pytest

from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.core.sorting import SortOrder, sort_order

from ..support import post_login


@pytest.mark.parametrize("args,expected", [
    ({}, SortOrder("iso")), ({"sort": "navn"}, SortOrder("navn")),
    ({"sort": "navn", "retning": "synkende"}, SortOrder("navn", True)),
    ({"sort": "navn", "retning": "baklengs"}, SortOrder("navn")), ({"sort": "passord"}, SortOrder("iso")),
    ({"sort": "\x00"}, SortOrder("iso")),
])
def test_a_list_is_sorted_by_what_it_offers_or_else_by_its_default(args, expected):
    assert sort_order(args, {"iso": (), "navn": ()}, "iso") == expected


def names_in(html: str) -> list[str]:
    return re.findall(r"<td>(Produkt [A-C])</td>", html)


@pytest.fixture
def three_products(session):
    for name, supplier in (("Produkt B", "Alfa"), ("Produkt A", "Cesar"), ("Produkt C", "Beta")):
        create_product(session, hms_nr=None, name=name, iso_class="120606", supplier=supplier)


@pytest.mark.parametrize("query,order", [
    ("sort=navn", ["Produkt A", "Produkt B", "Produkt C"]),
    ("sort=navn&retning=synkende", ["Produkt C", "Produkt B", "Produkt A"]),
    ("sort=leverandor", ["Produkt B", "Produkt C", "Produkt A"]),
    ("sort=nonsense&retning=x", ["Produkt A", "Produkt B", "Produkt C"]),  # the default: ISO class, then name
])
def test_the_catalog_sorts_by_the_column_asked_for(client, make_user, three_products, query, order):
    post_login(client, make_user("lager").username, "test-passord-123")
    page = client.get(f"/katalog?q=Produkt&{query}")
    assert page.status_code == 200
    assert names_in(page.get_data(as_text=True)) == order


def test_a_sorted_header_says_so_and_its_link_keeps_the_search_and_turns_the_order(client, make_user, three_products):
    post_login(client, make_user("lager").username, "test-passord-123")
    html = client.get("/katalog?q=Produkt&sort=navn&offset=50").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html
    link = re.search(r'<th scope="col" aria-sort="ascending">\s*<a class="sort-link" href="([^"]+)"', html).group(1)
    assert "q=Produkt" in link and "retning=synkende" in link and "offset" not in link


@pytest.mark.parametrize("path", ["/admin/brukere?sort=rolle&retning=synkende", "/admin/brukere?sort=%00",
                                  "/lager/karantene?sort=produkt", "/lager/karantene?sort=x&retning=y"])
def test_the_other_sortable_lists_answer_any_sort_without_an_error(client, make_user, path):
    post_login(client, make_user("admin").username, "test-passord-123")
    assert client.get(path).status_code in (200, 422)
