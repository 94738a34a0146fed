"""Rebuild throughput: replay a log of --events events into every SQL projection.

    python bench/rebuild.py [--events 100000]

Fills a fresh database (see bench/stack.py) with orders
through the Shop application, four writer threads, then rebuilds each SQL projection
from position 0 with the same code `bazaar projections rebuild` runs, and prints events/s.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from decimal import Decimal

from cpu import QUIET_PROBE_MS, probe_ms
from stack import a_fresh_database, settings_from

from bazaar.wiring import Container, build, migrate
from projections.registry import SQL_PROJECTIONS
from write_model.catalogue import Location
from write_model.commands import (
    Actor,
    AdjustStock,
    ListProduct,
    OrderItem,
    PlaceOrder,
    RegisterStore,
)

PRODUCTS = 100
WRITERS = 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    args = parser.parse_args()
    with a_fresh_database("rebuild") as database:
        settings = settings_from(database)
        migrate(settings)
        container = build(settings)
        fill(container, args.events)
        for kinds in [[kind] for kind in SQL_PROJECTIONS] + [list(SQL_PROJECTIONS)]:
            before = probe_ms()
            done = container.rebuilder().rebuild(kinds)
            probe = (before + probe_ms()) / 2
            name = kinds[0].name if len(kinds) == 1 else "all views, one pass"
            print(
                f"{name:18} {done.events:>8} events {done.seconds:6.1f}s "
                f"{done.events_per_second:>9,.0f} events/s (probe {probe:.0f} ms: "
                f"{done.events_per_second * probe / QUIET_PROBE_MS:,.0f} events/s scaled)"
            )
        container.close()


def fill(container: Container, events: int) -> None:
    """A store, its products and stock, then orders (3 events each) up to `events`."""
    shop, owner = container.shop, Actor(user_id=uuid.uuid4(), role="artisan")
    store = shop.register_store(
        RegisterStore(
            store_id=uuid.uuid4(),
            owner_id=owner.user_id,
            name="Bench",
            location=Location(city="X", lat=0, lng=0),
        )
    ).aggregate.id
    products = []
    for n in range(PRODUCTS):
        product = ListProduct(
            product_id=uuid.uuid4(),
            store_id=store,
            title=f"P{n}",
            description="",
            price=Decimal("2.00"),
            category="bench",
        )
        products.append(shop.list_product(product, owner).aggregate.id)
        shop.adjust_stock(
            AdjustStock(store_id=store, product_id=products[-1], quantity=10**8), owner
        )
    per_writer = max(0, events - shop.position()) // 3 // WRITERS
    started = time.perf_counter()

    def write(offset: int) -> None:
        for n in range(per_writer):
            item = OrderItem(product_id=products[(n + offset) % PRODUCTS], quantity=1)
            shop.place_order(
                PlaceOrder(
                    order_id=uuid.uuid4(), user_id=owner.user_id, store_id=store, items=(item,)
                )
            )

    threads = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"log filled: {shop.position()} events in {time.perf_counter() - started:.0f}s")


if __name__ == "__main__":
    main()
