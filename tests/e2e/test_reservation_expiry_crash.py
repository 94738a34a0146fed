"""A reservation's expiry survives a `kill -9` of the runner and of the saga executor."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from bazaar.wiring import Container
from read_model.sql import saga_jobs
from tests.builders import (
    a_customer,
    a_hold_request,
    a_product_in,
    a_store_in,
    an_artisan,
    stock_of,
)
from tests.stacks import BazaarProcesses, a_built_stack, a_fresh_database, a_redis_server
from tests.waiting import poll_until
from write_model.inventory import StockItem
from write_model.reservations import Reservation

pytestmark = pytest.mark.e2e
EXPIRY = "reservation_expiry"
LEASE_S = 2.0
"""A job that a killed process had claimed is taken over this soon, however late (under
load) the kill comes after the claim."""


@dataclass
class Stack:
    container: Container
    processes: BazaarProcesses
    store: UUID
    mug: UUID

    def a_hold_ending_in(self, seconds: float) -> UUID:
        """Two mugs held by a new customer, as if made a minute ago, so ending soon."""
        request = a_hold_request(self.store, a_customer().user_id, {self.mug: 2}, minutes=1)
        made_at = datetime.now(UTC) - timedelta(minutes=1) + timedelta(seconds=seconds)
        self.container.shop.reserve_stock(request, made_at)
        return request.reservation_id

    def status(self, reservation_id: UUID) -> str:
        reservation: Reservation = self.container.shop.repository.get(reservation_id)
        return reservation.status

    def job_recorded(self, reservation_id: UUID) -> bool:
        jobs = saga_jobs.jobs_of(self.container.pool, EXPIRY)
        return any(job.key == str(reservation_id) for job in jobs)

    def available(self) -> int:
        item: StockItem = self.container.shop.repository.get(
            StockItem.create_id(self.store, self.mug)
        )
        return item.available


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """A database and a Redis of their own, a store with 6 mugs, and no process running yet."""
    with (
        a_fresh_database() as database_url,
        a_redis_server(tmp_path) as redis_server,
        a_built_stack(database_url, redis_server.url) as container,
    ):
        processes = BazaarProcesses(container.settings, tmp_path)
        processes.env["SAGA_LEASE_S"] = str(LEASE_S)
        owner = an_artisan()
        store = a_store_in(container.shop, owner)
        mug = a_product_in(container.shop, store, owner)
        stock_of(container.shop, store, mug, owner, 6)
        try:
            yield Stack(container, processes, store, mug)
        finally:
            processes.stop_all()


def expired_once(stack: Stack, reservation_id: UUID) -> bool:
    kinds = [type(e) for e in stack.container.shop.events.get(reservation_id)]
    return kinds.count(Reservation.Expired) == 1


def test_expires_after_the_runner_was_killed_with_its_job_recorded(stack: Stack) -> None:
    runner = stack.processes.start("runner")
    held = stack.a_hold_ending_in(4)
    poll_until(lambda: stack.job_recorded(held), timeout=30)
    stack.processes.kill(runner)

    stack.processes.start("runner")

    poll_until(lambda: stack.status(held) == "expired", timeout=30)
    assert expired_once(stack, held)
    assert stack.available() == 6


def test_expires_after_the_saga_executor_comes_back_from_a_crash(stack: Stack) -> None:
    stack.processes.start("runner", "--no-sagas")
    executor = stack.processes.start("sagas", "run")
    held = stack.a_hold_ending_in(3)
    poll_until(lambda: stack.job_recorded(held), timeout=30)
    stack.processes.kill(executor)
    poll_until(lambda: saga_jobs.seconds_to_next(stack.container.pool, [EXPIRY]) == 0, timeout=30)
    assert stack.status(held) == "held", "nothing performs the due expiry while no executor runs"

    stack.processes.start("sagas", "run")

    poll_until(lambda: stack.status(held) == "expired", timeout=30)
    assert expired_once(stack, held)
    assert stack.available() == 6
