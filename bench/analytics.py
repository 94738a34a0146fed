"""Analytics at scale: rebuild rate of the analytics projection and query latency over HTTP.

    python bench/analytics.py [--events 1000000] [--stores 20] [--products 50] [--days 365]

Makes a fresh database (see bench/stack.py) and writes a year of trading straight into
the shop's event log, in bulk: stores, products and stock, then orders spread evenly over
`--days` days (5% rejected for lack of stock; of the rest 10% cancelled, 70% shipped and
delivered, 20% left confirmed), with their stock reservations, releases and commits, in
timestamp order, until the log holds `--events` events. The events are the aggregates'
own classes, stored through the shop's mapper and recorder, so nothing tells them from
events the commands record; only the writing skips the decisions, to be fast.

Then rebuilds the catalogue and stock projections (the dashboard reads them) and the
analytics projection, timed (events/s), serves `bazaar api` (one worker) and times
`--queries` requests per analytics endpoint, signed in as an admin: p50 and p95 in ms.
"""

from __future__ import annotations

import argparse
import heapq
import itertools
import os
import random
import statistics
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx
from eventsourcing.utils import get_topic
from stack import a_fresh_database, bazaar, settings_from, wait_until_up

from bazaar.wiring import Container, build, migrate
from projections.analytics import AnalyticsProjection
from projections.catalogue import CatalogueProjection
from projections.inventory import StockProjection
from write_model.catalogue import DEFAULT_LOW_STOCK_THRESHOLD, Location, Product, Store
from write_model.delivery import DEFAULT_OPENING_HOURS
from write_model.inventory import StockItem
from write_model.orders import Order, OrderLine, Shortfall

PORT = int(os.environ.get("BENCH_PORT", "8767"))
BASE = f"http://127.0.0.1:{PORT}"
BATCH = 5_000
CATEGORIES = ("ceramics", "textiles", "jewellery", "woodwork", "paper", "leather")
ADMIN = ("bench-admin@bench.example", "bench-admin", "bench-admin-pass-1")
WARM_UP = 10


@dataclass(order=True)
class Pending:
    """An event to write at `at`: made when its turn comes, so versions follow log order."""

    at: datetime
    seq: int
    aggregate_id: UUID = field(compare=False)
    kind: type[Any] = field(compare=False)
    data: dict[str, Any] = field(compare=False)


class Log:
    """Writes events in timestamp order, numbering each aggregate's versions as it goes."""

    def __init__(self, container: Container) -> None:
        self.shop = container.shop
        self.queue: list[Pending] = []
        self.versions: dict[UUID, int] = {}
        self.batch: list[Any] = []
        self.written = 0
        self.seq = itertools.count()

    def at(self, when: datetime, aggregate_id: UUID, kind: type[Any], **data: Any) -> None:
        heapq.heappush(self.queue, Pending(when, next(self.seq), aggregate_id, kind, data))

    def flush_until(self, when: datetime | None) -> None:
        """Write every pending event before `when` (all of them for None)."""
        while self.queue and (when is None or self.queue[0].at < when):
            self._write(heapq.heappop(self.queue))
        if when is None and self.batch:
            self._insert()

    def _write(self, pending: Pending) -> None:
        version = self.versions[pending.aggregate_id] = (
            self.versions.get(pending.aggregate_id, 0) + 1
        )
        data = dict(pending.data)
        if version == 1:
            data["originator_topic"] = get_topic(CREATED_BY[pending.kind])
        event = pending.kind(
            originator_id=pending.aggregate_id,
            originator_version=version,
            timestamp=pending.at,
            **data,
        )
        self.batch.append(self.shop.mapper.to_stored_event(event))
        if len(self.batch) >= BATCH:
            self._insert()

    def _insert(self) -> None:
        self.shop.recorder.insert_events(self.batch)
        self.written += len(self.batch)
        self.batch = []


CREATED_BY: dict[type[Any], type[Any]] = {
    Store.Registered: Store,
    Product.Listed: Product,
    StockItem.Opened: StockItem,
    Order.Placed: Order,
}


@dataclass(frozen=True)
class Catalogue:
    stores: list[UUID]
    products: dict[UUID, list[tuple[UUID, Decimal]]]


def a_catalogue(log: Log, args: argparse.Namespace, start: datetime, owner: UUID) -> Catalogue:
    """Stores, their products (a price and a category each) and plenty of stock."""
    stores, products = [], {}
    for s in range(args.stores):
        store_id = uuid.uuid4()
        stores.append(store_id)
        log.at(
            start,
            store_id,
            Store.Registered,
            name=f"Store {s}",
            owner_id=owner,
            location=Location(city="Lyon", lat=45.76, lng=4.84),
            low_stock_threshold=DEFAULT_LOW_STOCK_THRESHOLD,
            opening_hours=DEFAULT_OPENING_HOURS,
        )
        products[store_id] = [a_product(log, start, store_id, s, p) for p in range(args.products)]
    return Catalogue(stores, products)


def a_product(log: Log, start: datetime, store_id: UUID, s: int, p: int) -> tuple[UUID, Decimal]:
    product_id, price = uuid.uuid4(), Decimal(f"{2 + (s * 7 + p * 13) % 60}.50")
    log.at(
        start,
        product_id,
        Product.Listed,
        store_id=store_id,
        title=f"Product {s}-{p}",
        description="",
        price=price,
        category=CATEGORIES[p % len(CATEGORIES)],
    )
    item = StockItem.create_id(store_id, product_id)
    log.at(start, item, StockItem.Opened, store_id=store_id, product_id=product_id)
    log.at(start, item, StockItem.Received, quantity=10**9)
    return product_id, price


def an_order(log: Log, rng: random.Random, catalogue: Catalogue, at: datetime) -> None:
    """Placed, then rejected or confirmed (and maybe cancelled, or shipped and delivered)."""
    store_id = rng.choice(catalogue.stores)
    chosen = rng.sample(catalogue.products[store_id], rng.randint(1, 3))
    lines = tuple(
        OrderLine(product_id=p, title="", quantity=rng.randint(1, 3), unit_price=price)
        for p, price in chosen
    )
    order_id, fate = uuid.uuid4(), rng.random()
    log.at(at, order_id, Order.Placed, user_id=uuid.uuid4(), store_id=store_id, lines=lines)
    if fate < 0.05:
        short = Shortfall(product_id=lines[0].product_id, requested=lines[0].quantity, available=0)
        log.at(at, order_id, Order.Rejected, reason="insufficient_stock", shortfalls=(short,))
        return
    log.at(at, order_id, Order.Confirmed)
    settle(log, store_id, order_id, lines, at, StockItem.Reserved)
    by = uuid.uuid4()
    if fate < 0.15:
        log.at(at + timedelta(hours=1), order_id, Order.StatusChanged, status="cancelled", by=by)
        settle(log, store_id, order_id, lines, at + timedelta(hours=1), StockItem.Released)
    elif fate < 0.85:
        for hours, status in ((1, "processing"), (20, "shipped"), (44, "delivered")):
            log.at(at + timedelta(hours=hours), order_id, Order.StatusChanged, status=status, by=by)
        settle(log, store_id, order_id, lines, at + timedelta(hours=20), StockItem.Committed)


def settle(
    log: Log, store_id: UUID, order_id: UUID, lines: tuple[OrderLine, ...], at: datetime, kind: type
) -> None:
    for line in lines:
        item = StockItem.create_id(store_id, line.product_id)
        log.at(at, item, kind, order_id=order_id, quantity=line.quantity)


def fill(container: Container, args: argparse.Namespace, owner: UUID) -> Catalogue:
    """The catalogue, then `per_day` orders a day until the log holds `args.events` events."""
    log, rng = Log(container), random.Random(7)
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(
        days=args.days
    )
    catalogue = a_catalogue(log, args, start, owner)
    per_day = max(1, round(args.events / 7.5 / args.days))
    started, day = time.perf_counter(), 0
    while log.written + len(log.batch) < args.events and day < args.days:
        opening = start + timedelta(days=day)
        for _ in range(per_day):
            an_order(log, rng, catalogue, opening + timedelta(seconds=rng.randrange(86_400)))
        log.flush_until(opening + timedelta(days=1))
        day += 1
    log.flush_until(None)
    seconds = time.perf_counter() - started
    print(f"log: {log.written:,} events in {seconds:.0f}s ({log.written / seconds:,.0f}/s)")
    return catalogue


def rebuild(container: Container) -> None:
    for kind in (CatalogueProjection, StockProjection, AnalyticsProjection):
        done = container.rebuilder().rebuild([kind])
        print(
            f"rebuild {kind.name:10} {done.events:>9,} events {done.seconds:7.1f}s "
            f"{done.events_per_second:>8,.0f} events/s"
        )


@dataclass(frozen=True)
class Probe:
    name: str
    path: str


def probes(store_id: UUID, days: int) -> list[Probe]:
    today = datetime.now(UTC).date()
    year = f"from={today - timedelta(days=days - 1)}&to={today}"
    month = f"month={today.month}&year={today.year}"
    return [
        Probe("dashboard (store, month)", f"/api/stores/{store_id}/dashboard?{month}"),
        Probe("sales (store, days)", f"/api/analytics/sales?store_id={store_id}&{year}"),
        Probe("sales (all, months)", f"/api/analytics/sales?{year}&granularity=month"),
        Probe("top-products (store)", f"/api/analytics/top-products?store_id={store_id}"),
        Probe("top-products (all)", f"/api/analytics/top-products?{year}"),
        Probe("lost-demand (store)", f"/api/analytics/lost-demand?store_id={store_id}"),
        Probe("lost-demand (all)", "/api/analytics/lost-demand"),
        Probe("stock-turnover (store)", f"/api/analytics/stock-turnover?store_id={store_id}"),
    ]


@contextmanager
def an_api(env: dict[str, str]) -> Iterator[str]:
    """`bazaar api` (one worker, no runner) in its own process; an admin's bearer token."""
    process = subprocess.Popen(
        [bazaar(), "api", "--workers", "1"], env={**os.environ, **env, "BAZAAR_PORT": str(PORT)}
    )
    try:
        wait_until_up(BASE)
        response = httpx.post(
            f"{BASE}/api/auth/login", json={"email": ADMIN[0], "password": ADMIN[2]}
        )
        response.raise_for_status()
        yield response.json()["access"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def measure(token: str, probe: Probe, times: int) -> list[float]:
    """Milliseconds per request over one keep-alive connection, after a warm-up."""
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=BASE, headers=auth, timeout=60) as client:
        for _ in range(WARM_UP):
            client.get(probe.path).raise_for_status()
        samples = []
        for _ in range(times):
            started = time.perf_counter()
            client.get(probe.path).raise_for_status()
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--stores", type=int, default=20)
    parser.add_argument("--products", type=int, default=50)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with a_fresh_database("analytics") as env:
        settings = settings_from(env)
        migrate(settings)
        container = build(settings)
        admin = container.accounts.ensure_admin(ADMIN[0], ADMIN[2], username=ADMIN[1])
        catalogue = fill(container, args, admin.id)
        rebuild(container)
        container.close()
        with an_api(env) as token:
            print(f"{'GET, as an admin':28} {'p50 ms':>8} {'p95 ms':>8}")
            for probe in probes(catalogue.stores[0], args.days):
                samples = measure(token, probe, args.queries)
                p95 = statistics.quantiles(samples, n=20)[18]
                print(f"{probe.name:28} {statistics.median(samples):8.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
