"""Store and Product aggregates, and the money rule for prices."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from tests.builders import LYON
from write_model.catalogue import InvalidPriceError, Product, Store, money
from write_model.delivery import OpeningHours

pytestmark = pytest.mark.unit


def a_product(price: str = "10.00") -> Product:
    product = Product(
        id=uuid4(),
        store_id=uuid4(),
        title="Stoneware mug",
        description="A handmade mug.",
        price=Decimal(price),
        category="pottery",
    )
    product.collect_events()
    return product


def event_types(product: Product) -> list[type]:
    return [type(e) for e in product.collect_events()]


class TestMoney:
    @pytest.mark.parametrize(("amount", "expected"), [("10", "10.00"), ("0.01", "0.01")])
    def test_accepts_positive_whole_cents_as_two_places(self, amount: str, expected: str) -> None:
        price = money(Decimal(amount))

        assert str(price) == expected

    @pytest.mark.parametrize("amount", ["0", "-1.00", "10.001", "NaN", "Infinity"])
    def test_refuses_amounts_that_are_not_positive_whole_cents(self, amount: str) -> None:
        with pytest.raises(InvalidPriceError):
            money(Decimal(amount))


def a_store(owner_id: UUID | None = None, **hours: Any) -> Store:
    return Store(
        id=uuid4(),
        name="Clay & Kiln",
        owner_id=owner_id or uuid4(),
        location=LYON,
        low_stock_threshold=3,
        opening_hours=OpeningHours(
            **{"timezone": "Europe/Paris", "opens_at": 8, "closes_at": 20, **hours}
        ),
    )


class TestStore:
    def test_registers_a_store_where_its_owner_says(self) -> None:
        owner_id = uuid4()

        store = a_store(owner_id)

        assert (store.owner_id, store.location, store.low_stock_threshold) == (owner_id, LYON, 3)
        assert [type(e) for e in store.collect_events()] == [Store.Registered]

    def test_opens_at_the_hours_it_registered_with(self) -> None:
        store = a_store(timezone="America/New_York", opens_at=10, closes_at=16)

        hours = store.opening_hours

        assert hours == OpeningHours(timezone="America/New_York", opens_at=10, closes_at=16)


class TestStoreVersions:
    """v2 of `Store.Registered` (and of the Store snapshot) added the opening hours; v3 holds
    them, and the place, as values."""

    def test_records_registrations_as_version_3(self) -> None:
        assert (Store.Registered.class_version, Store.class_version) == (3, 3)

    def test_a_v1_registration_gets_the_default_opening_hours(self) -> None:
        state: dict[str, Any] = {"name": "Old Kiln", "city": "Lyon"}

        Store.Registered.upcast_v1_v2(state)

        assert state == {
            "name": "Old Kiln",
            "city": "Lyon",
            "timezone": "UTC",
            "opens_at": 9,
            "closes_at": 18,
        }

    def test_a_v1_snapshot_gets_the_default_opening_hours(self) -> None:
        state: dict[str, Any] = {"name": "Old Kiln"}

        Store.upcast_v1_v2(state)

        assert (state["timezone"], state["opens_at"], state["closes_at"]) == ("UTC", 9, 18)

    def test_a_v2_registration_gets_its_fields_grouped_into_values(self) -> None:
        state = a_v2_store_state()

        Store.Registered.upcast_v2_v3(state)

        assert state == {
            "name": "Old Kiln",
            "low_stock_threshold": 3,
            "location": LYON,
            "opening_hours": OpeningHours(timezone="Asia/Tokyo", opens_at=6, closes_at=23),
        }

    def test_a_v2_snapshot_gets_its_fields_grouped_into_values(self) -> None:
        state = a_v2_store_state()

        Store.upcast_v2_v3(state)

        assert (state["location"], state["opening_hours"].timezone) == (LYON, "Asia/Tokyo")


def a_v2_store_state() -> dict[str, Any]:
    """A store's state as v2 held it: the place and the hours field by field."""
    return {
        "name": "Old Kiln",
        "city": "Lyon",
        "lat": 45.76,
        "lng": 4.84,
        "delivery_radius_km": 10.0,
        "low_stock_threshold": 3,
        "timezone": "Asia/Tokyo",
        "opens_at": 6,
        "closes_at": 23,
    }


class TestListProduct:
    def test_lists_a_product_on_sale(self) -> None:
        product_id = uuid4()

        product = Product(
            id=product_id,
            store_id=uuid4(),
            title="Mug",
            description="A mug.",
            price=Decimal("10.00"),
            category="pottery",
        )

        assert product.id == product_id
        assert not product.is_delisted
        assert [type(e) for e in product.collect_events()] == [Product.Listed]


class TestReviseProduct:
    def test_records_the_new_listing(self) -> None:
        product = a_product(price="10.00")

        product.revise(
            title="Big mug", description="A big mug.", price=Decimal("12.5"), category="kitchen"
        )

        assert (product.title, product.price, product.category) == (
            "Big mug",
            Decimal("12.50"),
            "kitchen",
        )
        assert event_types(product) == [Product.Revised]

    def test_records_nothing_when_nothing_changes(self) -> None:
        product = a_product(price="10.00")

        product.revise(
            title=product.title,
            description=product.description,
            price=Decimal("10"),
            category=product.category,
        )

        assert event_types(product) == []

    def test_refuses_a_price_that_is_not_positive(self) -> None:
        product = a_product()

        with pytest.raises(InvalidPriceError):
            product.revise(
                title="Mug", description="A mug.", price=Decimal("0"), category="pottery"
            )


class TestDelistProduct:
    def test_takes_the_product_off_sale(self) -> None:
        product = a_product()

        product.delist()

        assert product.is_delisted
        assert event_types(product) == [Product.Delisted]

    def test_ignores_a_repeat(self) -> None:
        product = a_product()
        product.delist()

        product.delist()

        assert event_types(product) == [Product.Delisted]
