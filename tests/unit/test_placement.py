"""The placement decision's pure steps: merge the lines, price them, find the shortfalls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from write_model.catalogue import Product
from write_model.commands import OrderItem
from write_model.inventory import StockItem
from write_model.orders import OrderLine, Shortfall
from write_model.placement import (
    InvalidOrderError,
    OrderTotalTooLowError,
    UnknownProductError,
    merge_items,
    price_lines,
    shortfalls,
)

pytestmark = pytest.mark.unit

MINIMUM = Decimal("1.00")
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def items(*pairs: tuple[UUID, int]) -> list[OrderItem]:
    return [OrderItem(product_id=pid, quantity=qty) for pid, qty in pairs]


def a_product(price: str = "10.00", title: str = "Mug") -> Product:
    return Product(
        id=uuid4(),
        store_id=uuid4(),
        title=title,
        description="Handmade.",
        price=Decimal(price),
        category="pottery",
    )


def on_flash_sale(
    product: Product, price: str, starts_at: datetime, ends_at: datetime, set_at: datetime = NOW
) -> Product:
    product.set_flash_sale(price=Decimal(price), starts_at=starts_at, ends_at=ends_at, now=set_at)
    return product


def a_line(product_id: UUID, quantity: int) -> OrderLine:
    return OrderLine(product_id=product_id, title="Mug", quantity=quantity, unit_price=Decimal("1"))


def stock_with(product_id: UUID, on_hand: int, reserved: int = 0) -> StockItem:
    item = StockItem(uuid4(), product_id)
    item.adjust(on_hand, "received")
    if reserved:
        item.reserve(uuid4(), reserved)
    return item


class TestMergeItems:
    def test_sums_repeated_products_keeping_first_seen_order(self) -> None:
        mug, bowl = uuid4(), uuid4()

        merged = merge_items(items((mug, 1), (bowl, 2), (mug, 3)))

        assert list(merged.items()) == [(mug, 4), (bowl, 2)]

    @pytest.mark.parametrize("quantity", [0, -1])
    def test_refuses_a_quantity_below_one(self, quantity: int) -> None:
        with pytest.raises(InvalidOrderError):
            merge_items(items((uuid4(), quantity)))

    def test_refuses_an_empty_order(self) -> None:
        with pytest.raises(InvalidOrderError):
            merge_items([])

    def test_accepts_a_hundred_lines(self) -> None:
        merged = merge_items(items(*((uuid4(), 1) for _ in range(100))))

        assert len(merged) == 100

    def test_refuses_more_than_a_hundred_lines(self) -> None:
        with pytest.raises(InvalidOrderError):
            merge_items(items(*((uuid4(), 1) for _ in range(101))))

    def test_accepts_a_thousand_of_one_product(self) -> None:
        mug = uuid4()

        merged = merge_items(items((mug, 1000)))

        assert merged == {mug: 1000}

    def test_refuses_more_than_a_thousand_of_one_product_once_merged(self) -> None:
        mug = uuid4()

        with pytest.raises(InvalidOrderError) as refused:
            merge_items(items((mug, 600), (mug, 401)))

        assert refused.value.details == {"product_ids": [str(mug)]}


class TestPriceLines:
    def test_prices_each_line_as_the_product_is_now(self) -> None:
        mug = a_product(price="10.00", title="Mug")

        lines = price_lines({mug.id: 2}, {mug.id: mug}, MINIMUM, NOW)

        assert lines == (
            OrderLine(product_id=mug.id, title="Mug", quantity=2, unit_price=Decimal("10.00")),
        )

    def test_refuses_an_unknown_product(self) -> None:
        unknown = uuid4()

        with pytest.raises(UnknownProductError) as refused:
            price_lines({unknown: 1}, {unknown: None}, MINIMUM, NOW)

        assert refused.value.details == {"product_ids": [str(unknown)]}

    def test_refuses_a_delisted_product(self) -> None:
        mug = a_product()
        mug.delist()

        with pytest.raises(UnknownProductError):
            price_lines({mug.id: 1}, {mug.id: mug}, MINIMUM, NOW)

    def test_refuses_a_total_below_the_minimum(self) -> None:
        pin = a_product(price="0.40")

        with pytest.raises(OrderTotalTooLowError):
            price_lines({pin.id: 2}, {pin.id: pin}, MINIMUM, NOW)

    def test_accepts_a_total_equal_to_the_minimum(self) -> None:
        pin = a_product(price="0.50")

        lines = price_lines({pin.id: 2}, {pin.id: pin}, MINIMUM, NOW)

        assert sum(line.line_total for line in lines) == MINIMUM

    def test_prices_a_line_at_the_flash_price_inside_the_window(self) -> None:
        mug = on_flash_sale(a_product(price="10.00"), "7.50", NOW - HOUR, NOW + HOUR)

        lines = price_lines({mug.id: 2}, {mug.id: mug}, MINIMUM, NOW)

        assert [line.unit_price for line in lines] == [Decimal("7.50")]

    def test_the_flash_price_applies_from_the_first_instant_of_the_window(self) -> None:
        mug = on_flash_sale(a_product(price="10.00"), "7.50", NOW, NOW + HOUR)

        lines = price_lines({mug.id: 1}, {mug.id: mug}, MINIMUM, NOW)

        assert [line.unit_price for line in lines] == [Decimal("7.50")]

    @pytest.mark.parametrize("when", [NOW - HOUR, NOW + HOUR, NOW + 2 * HOUR])
    def test_prices_a_line_at_the_regular_price_outside_the_window(self, when: datetime) -> None:
        mug = on_flash_sale(a_product(price="10.00"), "7.50", NOW, NOW + HOUR, set_at=NOW - HOUR)

        lines = price_lines({mug.id: 1}, {mug.id: mug}, MINIMUM, when)

        assert [line.unit_price for line in lines] == [Decimal("10.00")]

    def test_never_charges_more_than_a_regular_price_revised_below_the_sale(self) -> None:
        mug = on_flash_sale(a_product(price="10.00"), "7.50", NOW - HOUR, NOW + HOUR)
        mug.revise(title="Mug", description="Handmade.", price=Decimal("6.00"), category="pottery")

        lines = price_lines({mug.id: 1}, {mug.id: mug}, MINIMUM, NOW)

        assert [line.unit_price for line in lines] == [Decimal("6.00")]

    def test_judges_the_minimum_total_at_the_flash_price(self) -> None:
        pin = on_flash_sale(a_product(price="1.00"), "0.40", NOW - HOUR, NOW + HOUR)

        with pytest.raises(OrderTotalTooLowError):
            price_lines({pin.id: 2}, {pin.id: pin}, MINIMUM, NOW)


class TestShortfalls:
    def test_finds_none_when_every_line_is_available(self) -> None:
        mug = uuid4()

        missing = shortfalls([a_line(mug, 3)], {mug: stock_with(mug, on_hand=3)})

        assert missing == ()

    def test_reports_each_shortfall_against_what_is_available(self) -> None:
        mug, bowl = uuid4(), uuid4()
        stock = {mug: stock_with(mug, on_hand=5), bowl: stock_with(bowl, on_hand=1)}

        missing = shortfalls([a_line(mug, 2), a_line(bowl, 3)], stock)

        assert missing == (Shortfall(product_id=bowl, requested=3, available=1),)

    def test_counts_stock_held_for_other_orders_as_unavailable(self) -> None:
        mug = uuid4()

        missing = shortfalls([a_line(mug, 2)], {mug: stock_with(mug, on_hand=3, reserved=2)})

        assert missing == (Shortfall(product_id=mug, requested=2, available=1),)

    def test_counts_an_unstocked_product_as_zero(self) -> None:
        mug = uuid4()

        missing = shortfalls([a_line(mug, 1)], {mug: None})

        assert missing == (Shortfall(product_id=mug, requested=1, available=0),)
