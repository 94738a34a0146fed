"""StockItem: stock is received, corrected, held for orders, released and committed."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from write_model.inventory import NegativeStockError, StockItem

pytestmark = pytest.mark.unit


def a_stock_item(on_hand: int = 0) -> StockItem:
    item = StockItem(uuid4(), uuid4())
    item.adjust(on_hand, "received")
    item.collect_events()
    return item


def a_reserved_item(on_hand: int, quantity: int) -> tuple[StockItem, UUID]:
    item, order_id = a_stock_item(on_hand), uuid4()
    item.reserve(order_id, quantity)
    item.collect_events()
    return item, order_id


def event_types(item: StockItem) -> list[type]:
    return [type(e) for e in item.collect_events()]


class TestOpen:
    def test_names_one_item_per_product_in_a_store(self) -> None:
        store_id, product_id = uuid4(), uuid4()

        item = StockItem(store_id, product_id)

        assert item.id == StockItem.create_id(store_id, product_id)

    def test_names_another_item_in_another_store(self) -> None:
        product_id = uuid4()

        ids = {StockItem.create_id(uuid4(), product_id) for _ in range(2)}

        assert len(ids) == 2

    def test_opens_with_nothing_on_hand(self) -> None:
        item = StockItem(uuid4(), uuid4())

        assert (item.on_hand, item.reserved, item.available) == (0, 0, 0)


class TestAdjust:
    def test_receives_a_delivery(self) -> None:
        item = a_stock_item(on_hand=2)

        item.adjust(5, "received")

        assert item.on_hand == 7
        assert event_types(item) == [StockItem.Received]

    def test_records_a_correction_with_its_reason(self) -> None:
        item = a_stock_item(on_hand=5)

        item.adjust(-2, "breakage")

        assert item.on_hand == 3
        assert [(type(e), e.reason) for e in item.collect_events()] == [
            (StockItem.Adjusted, "breakage")
        ]

    def test_records_a_positive_correction_as_an_adjustment(self) -> None:
        item = a_stock_item(on_hand=5)

        item.adjust(1, "recount")

        assert event_types(item) == [StockItem.Adjusted]

    def test_records_nothing_for_zero(self) -> None:
        item = a_stock_item(on_hand=5)

        item.adjust(0, "recount")

        assert event_types(item) == []

    def test_may_remove_everything_available(self) -> None:
        item = a_stock_item(on_hand=5)

        item.adjust(-5, "stolen")

        assert item.on_hand == 0

    def test_refuses_to_go_below_zero(self) -> None:
        item = a_stock_item(on_hand=5)

        with pytest.raises(NegativeStockError):
            item.adjust(-6, "stolen")

    def test_refuses_to_remove_stock_held_for_an_order(self) -> None:
        item = a_stock_item(on_hand=5)
        item.reserve(uuid4(), 4)

        with pytest.raises(NegativeStockError) as refused:
            item.adjust(-2, "breakage")

        assert refused.value.details == {"available": 1}


class TestReserve:
    def test_holds_stock_for_an_order(self) -> None:
        item = a_stock_item(on_hand=5)

        item.reserve(uuid4(), 3)

        assert (item.on_hand, item.reserved, item.available) == (5, 3, 2)
        assert event_types(item) == [StockItem.Reserved]

    def test_refuses_more_than_available(self) -> None:
        item = a_stock_item(on_hand=5)
        item.reserve(uuid4(), 3)

        with pytest.raises(NegativeStockError):
            item.reserve(uuid4(), 3)


class TestRelease:
    def test_gives_held_stock_back(self) -> None:
        item, order_id = a_reserved_item(on_hand=5, quantity=3)

        item.release(order_id, 3)

        assert (item.on_hand, item.available) == (5, 5)
        assert [(type(e), e.quantity) for e in item.collect_events()] == [(StockItem.Released, 3)]

    def test_refuses_to_release_more_than_is_held(self) -> None:
        item, order_id = a_reserved_item(on_hand=5, quantity=3)

        with pytest.raises(NegativeStockError):
            item.release(order_id, 4)


class TestCommit:
    def test_takes_held_stock_off_the_shelf(self) -> None:
        item, order_id = a_reserved_item(on_hand=5, quantity=3)

        item.commit(order_id, 3)

        assert (item.on_hand, item.reserved, item.available) == (2, 0, 2)
        assert [(type(e), e.quantity) for e in item.collect_events()] == [(StockItem.Committed, 3)]

    def test_refuses_to_commit_what_is_not_held(self) -> None:
        item, order_id = a_reserved_item(on_hand=5, quantity=3)
        item.commit(order_id, 3)

        with pytest.raises(NegativeStockError):
            item.commit(order_id, 3)
