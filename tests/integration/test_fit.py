"""«Does this unit fit this need» is one rule, in Python and in SQL: both answer the same."""
import itertools

import pytest
from sqlalchemy import select

from hjelpemiddel.catalog.models import Product
from hjelpemiddel.catalog.services import create_product
from hjelpemiddel.lending.fit import Candidate, fits, needs_fitting, units_fitting
from hjelpemiddel.lending.models import Need
from hjelpemiddel.lending.services import register_need
from hjelpemiddel.stock.models import Device
from hjelpemiddel.stock.services import register_device

from .test_lending_services import TODAY


@pytest.fixture
def world(session, therapist, actor, make_citizen, depot):
    products = [create_product(session, hms_nr=hms, name=name, iso_class=iso)
                for hms, name, iso in [("111111", "Rollator A", "120606"), ("222222", "Rollator B", "120606"),
                                       ("333333", "Gåbord", "120612"), (None, "Dusjkrakk", "093303")]]
    devices = [register_device(session, actor.id, product.id, serial_number=f"FIT-{i}-{owner}", owner=owner,
                               nav_serial=f"{700000 + i}" if owner == "nav" else None, location_code="A-01-2")
               for i, (product, owner) in enumerate(itertools.product(products[:3], ("kommune", "nav")))]
    devices.append(register_device(session, actor.id, products[3].id, serial_number="FIT-KRAKK", location_code="A-01-2"))
    citizen = make_citizen()
    needs = [register_need(session, therapist.id, "terapeut", citizen.id, TODAY, "normal", application, **wanted)
             for application in ("short_term", "long_term")
             for wanted in ({"product_id": products[0].id}, {"iso_class": "120606"}, {"iso_class": "1206"},
                            {"iso_class": "0933"}, {"product_id": products[3].id})]
    return devices, needs


def test_python_and_sql_agree_on_every_unit_and_need(session, world):
    devices, needs = world
    for need in needs:
        in_python = {device.id for device in devices
                     if fits(Candidate.of(device, session.get(Product, device.product_id)), need)}
        in_sql = set(session.scalars(select(Device.id).join(Product, Product.id == Device.product_id)
                                     .where(units_fitting(need), Device.id.in_([d.id for d in devices]))))
        assert in_python == in_sql, (need.product_id, need.iso_class, need.application_type)
    for device in devices:
        candidate = Candidate.of(device, session.get(Product, device.product_id))
        in_python = {need.id for need in needs if fits(candidate, need)}
        in_sql = set(session.scalars(select(Need.id).where(needs_fitting(candidate), Need.id.in_([n.id for n in needs]))))
        assert in_python == in_sql, (device.barcode, device.owner)


def test_municipal_units_fit_short_term_needs_and_nav_units_long_term_ones(session, world):
    devices, needs = world
    rollator_need = next(n for n in needs if n.iso_class == "120606" and n.application_type == "short_term")
    fitting = [d for d in devices if fits(Candidate.of(d, session.get(Product, d.product_id)), rollator_need)]
    assert {d.owner for d in fitting} == {"kommune"} and len(fitting) == 2


def test_a_nav_order_line_not_yet_in_the_catalogue_fits_by_its_category():
    need = Need(product_id=None, iso_class="181210", application_type="long_term")
    assert fits(Candidate(None, "18121001", "nav"), need)
    assert not fits(Candidate(None, "12220301", "nav"), need)
    assert not fits(Candidate(None, "18121001", "kommune"), need)
