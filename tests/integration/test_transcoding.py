"""Events stored by the library's JSON transcoder and by ours read the same with either.

On Postgres: the events stored before the switch read unchanged, and those stored after it
read with the library's transcoder, so a rolling deploy or a downgrade loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import get_topic

from bazaar.audit import OPERATOR, render_history
from bazaar.transcoder import OrjsonTranscoder
from bazaar.wiring import Container, event_store_env
from tests.builders import (
    a_customer,
    a_product_in,
    a_shop,
    a_store_in,
    an_artisan,
    an_old_store_registration,
    an_order_for,
    an_order_request,
    stock_of,
)
from tests.stacks import a_built_stack, a_fresh_database
from write_model.commands import ScheduleDelivery, SetFlashSale
from write_model.delivery import Delivery, OpeningHours
from write_model.flash_sales import FlashSale
from write_model.inventory import StockItem
from write_model.orders import InsufficientStockError, OrderLine, Shortfall
from write_model.shop import Shop

pytestmark = pytest.mark.integration

LIBRARY = {"TRANSCODER_TOPIC": get_topic(JSONTranscoder)}
NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)
SLOT = datetime(2030, 1, 2, 10, tzinfo=UTC)
SALE = FlashSale(
    price=Decimal("9.99"),
    starts_at=datetime(2030, 1, 1, 9, 0, 0, 250_000, tzinfo=UTC),
    ends_at=datetime(2030, 1, 8, 9, tzinfo=UTC),
)
PRICES = ("12.50", "0.99", "1234.56")


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Container]:
    """Every application, built on a database of this module's own."""
    with a_fresh_database() as database_url, a_built_stack(database_url, redis_url) as built:
        yield built


@pytest.fixture(
    params=[(LIBRARY, {}), ({}, LIBRARY)],
    ids=["stored by the library, read by ours", "stored by ours, read by the library"],
)
def writer_and_reader(
    request: pytest.FixtureRequest, stack: Container
) -> Iterator[tuple[Shop, Shop]]:
    """Two shops on one event store, each with its transcoder; neither caches the other's."""
    ours = event_store_env(stack.settings)
    writer_choice, reader_choice = request.param
    writer, reader = a_shop({**ours, **writer_choice}), a_shop({**ours, **reader_choice})
    yield writer, reader
    writer.close()
    reader.close()


@dataclass(frozen=True, slots=True, kw_only=True)
class Written:
    """What the writer stored: a store (and one registered before opening hours existed),
    its products in stock, a delivered-to order of three lines and a rejected order."""

    store_id: UUID
    old_store_id: UUID
    product_ids: list[UUID]
    order_id: UUID
    rejected_id: UUID

    @property
    def aggregate_ids(self) -> list[UUID]:
        stock = [StockItem.create_id(self.store_id, p) for p in self.product_ids]
        ids = [self.store_id, self.old_store_id, self.order_id, self.rejected_id]
        return ids + self.product_ids + stock


@pytest.fixture
def written(writer_and_reader: tuple[Shop, Shop]) -> Written:
    writer = writer_and_reader[0]
    owner, customer = an_artisan(), a_customer()
    store_id = a_store_in(writer, owner)
    old = an_old_store_registration(writer, owner)
    writer.recorder.insert_events([old])
    products = [
        a_product_in(writer, store_id, owner, price, f"Mug {n}") for n, price in enumerate(PRICES)
    ]
    for product_id in products:
        stock_of(writer, store_id, product_id, owner, 5)
    sale = SetFlashSale(
        product_id=products[0], price=SALE.price, starts_at=SALE.starts_at, ends_at=SALE.ends_at
    )
    writer.set_flash_sale(sale, owner, now=NOW)
    order = an_order_for(
        writer, store_id, customer.user_id, {p: n + 1 for n, p in enumerate(products)}
    )
    booking = ScheduleDelivery(order_id=order.id, address="1 Rue de la Paix ☕", slot_start=SLOT)
    writer.schedule_delivery(booking, customer, now=NOW)
    rejected = an_order_request(store_id, customer.user_id, {products[2]: 9})
    with pytest.raises(InsufficientStockError):
        writer.place_order(rejected)
    return Written(
        store_id=store_id,
        old_store_id=old.originator_id,
        product_ids=products,
        order_id=order.id,
        rejected_id=rejected.order_id,
    )


class TestReadingWhatTheOtherStored:
    def test_every_event_reads_as_its_writer_reads_it(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        writer, reader = writer_and_reader

        for aggregate_id in written.aggregate_ids:
            assert list(reader.events.get(aggregate_id)) == list(writer.events.get(aggregate_id))

    def test_an_order_loads_with_its_typed_parts(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        order = writer_and_reader[1].get_order(written.order_id)

        assert order.lines == tuple(
            OrderLine(product_id=p, title=f"Mug {n}", quantity=n + 1, unit_price=Decimal(price))
            for n, (p, price) in enumerate(zip(written.product_ids, PRICES, strict=True))
        )
        assert order.delivery == Delivery(address="1 Rue de la Paix ☕", slot_start=SLOT)

    def test_a_rejected_order_loads_with_its_shortfalls(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        order = writer_and_reader[1].get_order(written.rejected_id)

        assert order.shortfalls == (
            Shortfall(product_id=written.product_ids[2], requested=9, available=2),
        )

    def test_a_product_loads_with_its_flash_sale(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        product = writer_and_reader[1].get_product(written.product_ids[0])

        assert product.flash_sale == SALE

    def test_a_stock_item_loads_with_its_counts(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        item_id = StockItem.create_id(written.store_id, written.product_ids[0])

        stock = writer_and_reader[1].repository.get(item_id)

        assert (stock.on_hand, stock.reserved) == (5, 1)

    def test_a_store_registered_before_opening_hours_is_upcast_to_the_defaults(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        store = writer_and_reader[1].get_store(written.old_store_id)

        assert store.opening_hours == OpeningHours(timezone="UTC", opens_at=9, closes_at=18)

    def test_the_audit_trail_reads_as_its_writer_prints_it(
        self, writer_and_reader: tuple[Shop, Shop], written: Written
    ) -> None:
        writer, reader = writer_and_reader

        printed = [
            render_history("Order", shop.audit.order_history(written.order_id, OPERATOR))
            for shop in (writer, reader)
        ]

        assert printed[1] == printed[0]
        assert "unit_price: 1234.56" in printed[1]


def test_every_application_stores_its_events_with_orjson(stack: Container) -> None:
    transcoders = [app.mapper.transcoder for app in (stack.shop, stack.accounts, stack.cards)]

    assert all(isinstance(transcoder, OrjsonTranscoder) for transcoder in transcoders)
