"""Low-stock e-mails on real Postgres: at most one per product and store an hour, by event time.

The events are written with chosen timestamps, so the hour is the events' and not the clock's:
no test waits for it to pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Tracking

from bazaar.wiring import Container
from projections.alerts import StockAlertsProjection
from projections.sagas.low_stock import LowStockEmail
from read_model.sql import saga_jobs
from tests.histories import History
from tests.stacks import a_built_stack, a_fresh_database
from write_model.inventory import StockItem

pytestmark = pytest.mark.integration

NOON = datetime(2024, 5, 6, 12, 0, tzinfo=UTC)
"""When the shelf first runs low (the default threshold is 3)."""


@pytest.fixture(scope="module")
def stack(redis_url: str) -> Iterator[Container]:
    with a_fresh_database() as database_url, a_built_stack(database_url, redis_url) as container:
        yield container


def low_again_after(gap: timedelta) -> History:
    """A shelf of 5 mugs sold down to 2 at noon, restocked, and sold down to 1 `gap` later."""
    history = History()
    item = history.stock_item(uuid4(), NOON)
    history.add(StockItem.Received, item, NOON, quantity=5)
    history.add(StockItem.Reserved, item, NOON, order_id=uuid4(), quantity=3)
    history.add(StockItem.Received, item, NOON + gap / 2, quantity=5)
    history.add(StockItem.Reserved, item, NOON + gap, order_id=uuid4(), quantity=6)
    return history


def owner_emails(stack: Container, history: History) -> list[int]:
    """What each low-stock e-mail the store's owner is sent says is left, oldest first."""
    jobs = saga_jobs.jobs_of(stack.pool, LowStockEmail.name)
    return [
        job.payload["available"]
        for job in jobs
        if UUID(job.payload["store_id"]) == history.store_id
    ]


def followed(stack: Container, history: History) -> None:
    projection = StockAlertsProjection(stack.pool)
    with projection.session(Tracking("shop", len(history.events))) as cur:
        projection.apply_batch(history.events, cur)


class TestTheHourBetweenAlerts:
    def test_a_shelf_low_again_59_minutes_later_sends_no_second_email(
        self, stack: Container
    ) -> None:
        history = low_again_after(timedelta(minutes=59))

        followed(stack, history)

        assert owner_emails(stack, history) == [2]

    def test_a_shelf_low_again_just_over_an_hour_later_sends_a_second_email(
        self, stack: Container
    ) -> None:
        history = low_again_after(timedelta(minutes=60, seconds=1))

        followed(stack, history)

        assert owner_emails(stack, history) == [2, 1]

    def test_a_drop_kept_quiet_does_not_restart_the_hour(self, stack: Container) -> None:
        history = low_again_after(timedelta(minutes=59))
        item = StockItem.create_id(history.store_id, history.events[0].product_id)
        history.add(StockItem.Received, item, NOON + timedelta(minutes=65), quantity=5)
        history.add(
            StockItem.Reserved, item, NOON + timedelta(minutes=70), order_id=uuid4(), quantity=6
        )

        followed(stack, history)

        assert owner_emails(stack, history) == [2, 0]
