"""The seed's plan: how products spread over stores, and generated data that never changes."""

from __future__ import annotations

import pytest

from bazaar.fake_catalogue import CATEGORIES, FakeCatalogue
from bazaar.seed import product_id
from bazaar.sizes import FULL, Size

pytestmark = pytest.mark.unit


def test_the_default_set_gives_every_store_300_products() -> None:
    shares = [FULL.per_store(store) for store in range(FULL.stores)]

    assert shares == [300] * 20


def test_an_uneven_split_gives_the_first_stores_one_more() -> None:
    size = Size(products=62, stores=3)

    assert [size.per_store(store) for store in range(3)] == [21, 21, 20]


def test_a_product_is_the_same_whatever_was_generated_before() -> None:
    first = FakeCatalogue().product(4, 7, "Braga")
    catalogue = FakeCatalogue()
    catalogue.store(9)
    catalogue.product(4, 6, "Braga")

    assert catalogue.product(4, 7, "Braga") == first


def test_a_products_id_depends_only_on_its_place_in_the_plan() -> None:
    assert product_id(2, 5) == product_id(2, 5) != product_id(5, 2)


def test_every_store_gets_every_category_in_turn() -> None:
    catalogue = FakeCatalogue()

    categories = {catalogue.product(3, k, "Porto").category for k in range(len(CATEGORIES))}

    assert categories == set(CATEGORIES)
    assert len(CATEGORIES) >= 10
