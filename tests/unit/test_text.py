"""The text rule, and the use cases that take text refusing control characters (in memory)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from tests.builders import (
    a_customer,
    a_product_in,
    a_shop,
    a_store_in,
    an_artisan,
    an_order_for,
    stock_of,
)
from write_model.catalogue import Location
from write_model.commands import (
    Actor,
    AdjustStock,
    ListProduct,
    RegisterStore,
    ReviseProduct,
    ScheduleDelivery,
)
from write_model.shop import Shop
from write_model.text import InvalidTextError, checked, forbidden_character, scrubbed

pytestmark = pytest.mark.unit

NUL = "\x00"
NOW = datetime(2030, 7, 1, 8, 30, tzinfo=UTC)
TEN_AM = datetime(2030, 7, 2, 10, tzinfo=UTC)


class TestTheRule:
    @pytest.mark.parametrize("character", [NUL, "\x1b", "\x7f", "\t", "\n", "\r", "\x0b"])
    def test_refuses_every_control_character_in_one_line_text(self, character: str) -> None:
        assert forbidden_character(f"Clay{character}Kiln") == character

    @pytest.mark.parametrize("text", ["line one\nline two", "a\tb", "windows\r\nline"])
    def test_keeps_whitespace_in_multiline_text(self, text: str) -> None:
        assert forbidden_character(text, multiline=True) is None

    @pytest.mark.parametrize("character", [NUL, "\x1b", "\x7f", "\x0c"])
    def test_refuses_other_control_characters_in_multiline_text(self, character: str) -> None:
        assert forbidden_character(f"Rua {character} 1", multiline=True) == character

    def test_accepts_letters_of_any_script_emoji_included(self) -> None:
        assert forbidden_character("Café ÆØÅ 東京 🍵") is None

    def test_a_refusal_says_which_code_point_of_which_field(self) -> None:
        with pytest.raises(InvalidTextError) as refused:
            checked("address", f"Rua {NUL} 1", multiline=True)

        assert refused.value.details == {"field": "address"}
        assert "U+0000" in refused.value.message

    def test_scrubbing_replaces_what_the_rule_refuses(self) -> None:
        assert scrubbed(f"boom{NUL}\x1b[31m\nnext") == "boom\ufffd\ufffd[31m\nnext"


@pytest.fixture
def shop() -> Shop:
    return a_shop()


@pytest.fixture
def owner() -> Actor:
    return an_artisan()


@pytest.fixture
def store_id(shop: Shop, owner: Actor) -> UUID:
    return a_store_in(shop, owner)


def a_store_registration(owner: Actor, name: str = "Clay", city: str = "Lyon") -> RegisterStore:
    return RegisterStore(
        store_id=uuid4(),
        owner_id=owner.user_id,
        name=name,
        location=Location(city=city, lat=45.7, lng=4.8),
    )


def a_listing(store_id: UUID, title: str = "Mug", description: str = "") -> ListProduct:
    return ListProduct(
        product_id=uuid4(),
        store_id=store_id,
        title=title,
        description=description,
        price=Decimal("9.00"),
        category="pottery",
    )


class TestStoreText:
    @pytest.mark.parametrize("field", ["name", "city"])
    def test_refuses_a_nul_in_the_name_or_city(self, shop: Shop, owner: Actor, field: str) -> None:
        registration = a_store_registration(owner, **{field: f"Clay{NUL}"})

        with pytest.raises(InvalidTextError) as refused:
            shop.register_store(registration)

        assert refused.value.details == {"field": field}
        assert shop.position() == 0


class TestProductText:
    def test_refuses_an_escape_sequence_in_a_title(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        with pytest.raises(InvalidTextError, match="title"):
            shop.list_product(a_listing(store_id, title="\x1b[2JMug"), owner)

    def test_keeps_line_breaks_in_a_description(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        listed = shop.list_product(
            a_listing(store_id, description="Glazed.\nDishwasher safe."), owner
        )

        assert listed.aggregate.description == "Glazed.\nDishwasher safe."

    def test_refuses_a_revision_with_a_nul_in_the_category(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        product_id = a_product_in(shop, store_id, owner)

        with pytest.raises(InvalidTextError, match="category"):
            shop.revise_product(ReviseProduct(product_id=product_id, category=f"pot{NUL}"), owner)

        assert shop.get_product(product_id).category == "pottery"


class TestStockText:
    def test_refuses_a_control_character_in_the_reason(
        self, shop: Shop, owner: Actor, store_id: UUID
    ) -> None:
        product_id = a_product_in(shop, store_id, owner)
        correction = AdjustStock(
            store_id=store_id, product_id=product_id, quantity=-1, reason=f"broken{NUL}"
        )

        with pytest.raises(InvalidTextError, match="reason"):
            shop.adjust_stock(correction, owner)


class TestOrderText:
    @pytest.fixture
    def order_id(self, shop: Shop, owner: Actor, store_id: UUID) -> UUID:
        product_id = a_product_in(shop, store_id, owner)
        stock_of(shop, store_id, product_id, owner, 5)
        return an_order_for(shop, store_id, a_customer().user_id, {product_id: 1}).id

    def test_refuses_a_nul_in_a_delivery_address(self, shop: Shop, order_id: UUID) -> None:
        booking = ScheduleDelivery(order_id=order_id, address=f"Rua {NUL} 1", slot_start=TEN_AM)
        customer = Actor(user_id=shop.get_order(order_id).user_id, role="customer")

        with pytest.raises(InvalidTextError) as refused:
            shop.schedule_delivery(booking, customer, now=NOW)

        assert refused.value.details == {"field": "address"}
        assert shop.get_order(order_id).delivery is None

    def test_refuses_a_shipment_failure_reason_with_a_nul(self, shop: Shop, order_id: UUID) -> None:
        with pytest.raises(InvalidTextError, match="reason"):
            shop.record_shipment_notification_failed(order_id, f"HTTP 500{NUL}")
