"""Replay cost: one 50-event order rebuilt from the event store, in-process and over HTTP.

    python bench/replay.py [--replays 200] [--events 50]

Makes a fresh database on BENCH_DATABASE_URL's server (default: the local one) and,
through the Shop application, an order of --events events: Placed, Confirmed, then its
delivery booked and moved to a new slot again and again (DeliveryScheduled each time).
Then times --replays replays of its last version, after a warm-up, each way:

- `repository.get(id, version=N)`: the library's replay alone;
- `Shop.audit.order_as_of(id, actor, version=N)`: plus loading the order and store for the check;
- `Shop.audit.order_history(id, actor)`: every event as a record;
- GET /api/orders/{id}?as_of_version=N and GET /api/orders/{id}/history against
  `bazaar api` (one worker) in its own process, over one keep-alive connection.

Prints p50 and p99 in milliseconds. Needs Postgres and Redis (BENCH_REDIS_URL).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import httpx
from stack import a_fresh_database, bazaar, settings_from, wait_until_up

from bazaar.wiring import Container, build, migrate
from write_model.catalogue import Location
from write_model.commands import (
    Actor,
    AdjustStock,
    ListProduct,
    OrderItem,
    PlaceOrder,
    RegisterStore,
    ScheduleDelivery,
)

PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
WARM_UP = 20
OPEN_HOURS = range(9, 18)
"""A store's default opening hours (UTC): one delivery slot starts at each."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replays", type=int, default=200)
    parser.add_argument("--events", type=int, default=50)
    args = parser.parse_args()
    with a_fresh_database("replay") as env, a_built_system(env) as container, an_api(env):
        customer, token = a_customer()
        order_id = an_order_of(container, customer, args.events)
        report(args.events, measure(container, customer, token, order_id, args))


@contextmanager
def a_built_system(env: dict[str, str]) -> Iterator[Container]:
    settings = settings_from(env)
    migrate(settings)
    container = build(settings)
    try:
        yield container
    finally:
        container.close()


@contextmanager
def an_api(env: dict[str, str]) -> Iterator[None]:
    api_env = {**os.environ, **env, "BAZAAR_PORT": str(PORT)}
    process = subprocess.Popen([bazaar(), "api", "--workers", "1"], env=api_env)
    try:
        wait_until_up(BASE)
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def a_customer() -> tuple[Actor, str]:
    """A customer registered over HTTP: their identity for the shop, and their token."""
    name = f"r{uuid.uuid4().hex[:10]}"
    body = {"email": f"{name}@bench.example", "username": name, "password": "bench-pass-1"}
    response = httpx.post(f"{BASE}/api/auth/register", json=body)
    response.raise_for_status()
    answer = response.json()
    return Actor(user_id=UUID(answer["user"]["id"]), role="customer"), answer["access"]


def an_order_of(container: Container, customer: Actor, events: int) -> UUID:
    """Placed and confirmed (2 events), then its delivery moved until it has `events`."""
    shop, owner = container.shop, Actor(user_id=uuid.uuid4(), role="artisan")
    store_id, product_id, order_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    shop.register_store(
        RegisterStore(
            store_id=store_id,
            owner_id=owner.user_id,
            name="Replay",
            location=Location(city="Lyon", lat=45.7, lng=4.8),
        )
    )
    shop.list_product(
        ListProduct(
            product_id=product_id,
            store_id=store_id,
            title="Mug",
            description="A mug.",
            price=Decimal("10.00"),
            category="bench",
        ),
        owner,
    )
    shop.adjust_stock(AdjustStock(store_id=store_id, product_id=product_id, quantity=10), owner)
    items = (OrderItem(product_id=product_id, quantity=1),)
    shop.place_order(
        PlaceOrder(order_id=order_id, user_id=customer.user_id, store_id=store_id, items=items)
    )
    now = datetime.now(UTC)
    for slot in range(events - 2):
        cmd = ScheduleDelivery(order_id=order_id, address="1 Quai", slot_start=nth_slot(now, slot))
        shop.schedule_delivery(cmd, customer, now=now)
    assert shop.get_order(order_id).version == events
    return order_id


def nth_slot(now: datetime, n: int) -> datetime:
    """The n-th open hour from tomorrow on: every one a new, valid slot."""
    day = (now + timedelta(days=1 + n // len(OPEN_HOURS))).date()
    return datetime(day.year, day.month, day.day, OPEN_HOURS[n % len(OPEN_HOURS)], tzinfo=UTC)


def measure(
    container: Container, customer: Actor, token: str, order_id: UUID, args: argparse.Namespace
) -> dict[str, list[float]]:
    shop, version = container.shop, args.events
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=BASE, headers=auth, timeout=30) as client:
        ways: dict[str, Callable[[], object]] = {
            "repository.get(version=N)": lambda: shop.repository.get(order_id, version=version),
            "Shop.audit.order_as_of(version=N)": lambda: shop.audit.order_as_of(
                order_id, customer, version=version
            ),
            "Shop.audit.order_history": lambda: shop.audit.order_history(order_id, customer),
            "GET ?as_of_version=N": lambda: ok(
                client.get(f"/api/orders/{order_id}", params={"as_of_version": version})
            ),
            "GET /history": lambda: ok(client.get(f"/api/orders/{order_id}/history")),
        }
        return {name: timed(way, args.replays) for name, way in ways.items()}


def ok(response: httpx.Response) -> httpx.Response:
    response.raise_for_status()
    return response


def timed(way: Callable[[], object], times: int) -> list[float]:
    """Milliseconds per call, after a warm-up (connections opened, code paths hot)."""
    for _ in range(WARM_UP):
        way()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        way()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def report(events: int, samples: dict[str, list[float]]) -> None:
    print(f"Replaying one order of {events} events, {len(next(iter(samples.values())))} times:")
    print(f"  {'way':32} {'p50 ms':>8} {'p99 ms':>8}")
    for name, times in samples.items():
        p99 = statistics.quantiles(times, n=100)[98]
        print(f"  {name:32} {statistics.median(times):8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main()
