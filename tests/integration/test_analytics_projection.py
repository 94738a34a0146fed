"""The analytics projection fed by hand on real Postgres: days, categories, redelivery, turnover.

Events are built with chosen timestamps, so the figures can be worked out on paper.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from bazaar.wiring import Container
from projections.analytics import AnalyticsProjection
from projections.catalogue import CatalogueProjection
from read_model.sql import analytics_reports as reports
from read_model.sql.analytics_reports import Window
from tests.histories import History
from tests.stacks import a_built_stack, a_fresh_database
from write_model.catalogue import Product
from write_model.inventory import StockItem
from write_model.orders import Order, Shortfall

pytestmark = pytest.mark.integration

EVENING = datetime(2024, 3, 31, 22, 0, tzinfo=UTC)
"""Two hours before April: a day and a month boundary close by."""


def hours_later(hours: float) -> datetime:
    return EVENING + timedelta(hours=hours)


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Container]:
    with a_fresh_database() as database_url, a_built_stack(database_url, redis_url) as container:
        yield container


@pytest.fixture
def projection(stack: Container) -> AnalyticsProjection:
    return AnalyticsProjection(stack.pool)


def applied(projection: AnalyticsProjection, events: list[Any], position: int = 1) -> None:
    """The events applied to the projection, and to the catalogue its queries join."""
    catalogue = CatalogueProjection(projection.pool)
    for reader in (catalogue, projection):
        with reader.session(Tracking("shop", position)) as cur:
            for event in events:
                reader.apply(event, cur)


def march_and_april(stack: Container, store_id: UUID) -> list[reports.SalesPeriod]:
    window = Window(store_id, date(2024, 3, 31), date(2024, 4, 1))
    return reports.sales(stack.pool, window, "day")


class TestSales:
    def test_takes_a_cancelled_sale_back_from_the_day_it_was_booked(
        self, stack: Container, projection: AnalyticsProjection
    ) -> None:
        history = History()
        mug = history.product("Mug", "ceramics", EVENING)
        kept = history.order(hours_later(1), {mug: (2, "10.00")})
        history.add(Order.Confirmed, kept, hours_later(1))
        cancelled = history.order(hours_later(1.5), {mug: (1, "10.00")})
        history.add(Order.Confirmed, cancelled, hours_later(1.5))
        history.add(Order.StatusChanged, cancelled, hours_later(3), status="cancelled", by=uuid4())

        applied(projection, history.events)

        march, april = march_and_april(stack, history.store_id)
        assert (march.revenue, march.orders, march.units) == (Decimal("20.00"), 1, 2)
        assert (march.cancelled_orders, april.cancelled_orders) == (0, 1)
        assert (april.revenue, april.cancelled_value) == (Decimal("0.00"), Decimal("10.00"))

    def test_gives_a_recategorised_product_s_revenue_to_its_new_category(
        self, stack: Container, projection: AnalyticsProjection
    ) -> None:
        history = History()
        mug, bowl = (
            history.product("Mug", "ceramics", EVENING),
            history.product("Bowl", "ceramics", EVENING),
        )
        sold = history.order(hours_later(1), {mug: (1, "10.00"), bowl: (3, "10.00")})
        history.add(Order.Confirmed, sold, hours_later(1))
        history.add(
            Product.Revised,
            bowl,
            hours_later(1.2),
            title="Bowl",
            description="",
            price=Decimal("10.00"),
            category="kitchen",
        )

        applied(projection, history.events)

        window = Window(history.store_id, date(2024, 3, 1), date(2024, 3, 31))
        revenue = reports.category_revenue(stack.pool, window)
        assert [(c.category, c.revenue) for c in revenue] == [
            ("kitchen", Decimal("30.00")),
            ("ceramics", Decimal("10.00")),
        ]

    def test_books_nothing_twice_when_events_are_redelivered(
        self, stack: Container, projection: AnalyticsProjection
    ) -> None:
        history = History()
        mug = history.product("Mug", "ceramics", EVENING)
        sold = history.order(hours_later(1), {mug: (2, "10.00")})
        history.add(Order.Confirmed, sold, hours_later(1))
        refused = history.order(hours_later(1), {mug: (9, "10.00")})
        shortfall = Shortfall(product_id=mug, requested=9, available=2)
        history.add(Order.Rejected, refused, hours_later(1), reason="", shortfalls=(shortfall,))

        applied(projection, history.events, position=1)
        applied(projection, history.events, position=2)

        march, _ = march_and_april(stack, history.store_id)
        assert (march.revenue, march.orders, march.units) == (Decimal("20.00"), 1, 2)
        lost = reports.lost_demand(stack.pool, Window(history.store_id))
        assert (lost.units, lost.value, lost.by_product[0].shortfall) == (9, Decimal("70.00"), 7)


class TestStockTurnover:
    def test_weighs_on_hand_stock_by_the_time_it_was_held(
        self, stack: Container, projection: AnalyticsProjection
    ) -> None:
        history = History()
        mug = history.product("Mug", "ceramics", EVENING)
        item = uuid4()
        history.add(StockItem.Opened, item, EVENING, store_id=history.store_id, product_id=mug)
        history.add(StockItem.Received, item, EVENING, quantity=10)
        history.add(StockItem.Reserved, item, hours_later(1), order_id=uuid4(), quantity=4)
        history.add(StockItem.Committed, item, hours_later(2), order_id=uuid4(), quantity=4)

        applied(projection, history.events)

        # 10 on hand for 2 hours, then 6 for 2 hours: 8 on average; 4 shipped / 8 = 0.5
        [turnover] = reports.stock_turnover(stack.pool, history.store_id, hours_later(4))
        assert (turnover.shipped, turnover.on_hand) == (4, 6)
        assert (turnover.average_on_hand, turnover.turnover) == (8.0, 0.5)
