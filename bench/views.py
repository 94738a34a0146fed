"""Runner cost against the number of views: what one more view adds to every event.

Fills a fresh database's shop log with orders (as `bench/rebuild.py` does), then feeds the
whole log, from position 0 and on emptied read models, to the shop's subscriptions made of
its first 4 views, then 8 (SQL views and saga-job recorders: one subscription), then all
(the Redis views too: a second one), as the in-process runner feeds them. Prints, for each,
the CPU ms per event of this process, its Postgres backends and Redis, raw and scaled to a
quiet box. With --batch N the log is fed N events at a time, as the runner's batches are
under load (about 18 events at 200 orders/s), instead of in catch-up batches.

    python bench/views.py [--events 30000] [--batch 18]
"""

from __future__ import annotations

import argparse
import time

from cpu import cpu_seconds, per_operation_ms, probe_ms
from psycopg_pool import ConnectionPool
from rebuild import fill
from stack import a_fresh_database, settings_from

from bazaar.wiring import Container, build, migrate, read_model_pool
from projections.base import Projection, SqlProjection
from projections.registry import shop_projections
from projections.sagas.base import SagaProjection
from projections.subscriptions import subscriptions
from read_model.redis.cache import QueryCache
from read_model.redis.inventory import InventoryCache
from read_model.redis.suggest import SuggestIndex
from read_model.sql.rebuilds import drop_schema, fresh_schema
from streams.runner import ProjectionFeed

SCRATCH = "bench_views"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--batch", type=int, default=0, help="events per batch (0: catch-up)")
    args = parser.parse_args()
    with a_fresh_database("views") as database:
        settings = settings_from(database)
        migrate(settings)
        container = build(settings)
        fill(container, args.events)
        events = container.shop.position()
        total = len(views_of(container, container.pool))
        print(f"log: {events} events; the shop log has {total} views")
        for count in (4, 8, total):
            print(f"{count:>2} views: {feed_once(container, count, events, args.batch)}")
        container.close()


def views_of(container: Container, pool: ConnectionPool) -> list[Projection]:
    """The shop log's views on `pool` and scratch Redis keys: SQL, saga recorders, Redis."""
    client = container.redis
    views = shop_projections(
        pool,
        InventoryCache(client, prefix=f"{SCRATCH}:inv"),
        SuggestIndex(client, prefix=f"{SCRATCH}:sug"),
        QueryCache(client, container.shop.name, prefix=f"{SCRATCH}:cache"),
    )
    sagas = [SagaProjection(pool, s) for s in container.sagas[container.shop.name] if s.topics]
    sql = [view for view in views if isinstance(view, SqlProjection)]
    return [*sql, *sagas, *(view for view in views if view not in sql)]


def feed_once(container: Container, count: int, events: int, batch: int) -> str:
    """Feed the whole log to the first `count` views, `batch` events at a time (0: as much
    as a batch takes); CPU per event and the rate."""
    url = container.settings.database_url or ""
    fresh_schema(container.pool, SCRATCH)
    for key in container.redis.scan_iter(f"{SCRATCH}:*"):
        container.redis.delete(key)
    with read_model_pool(url, 2, SCRATCH) as pool:
        views = views_of(container, pool)[:count]
        feeds = [
            ProjectionFeed(container.shop, s) for s in subscriptions(pool, container.redis, views)
        ]
        probe = probe_ms()
        before, started = cpu_seconds(kind, url), time.perf_counter()
        for feed in feeds:
            position = 0
            while position < events:
                position = feed.feed(position, min(position + batch, events) if batch else events)
        seconds = time.perf_counter() - started
        used = per_operation_ms(before, cpu_seconds(kind, url), events, probe)
    drop_schema(container.pool, SCRATCH)
    figures = ", ".join(
        f"{name} {ms['raw']:.3f} raw / {ms['scaled']:.3f} scaled" for name, ms in used.items()
    )
    return f"{events / seconds:,.0f} events/s; CPU ms per event: {figures} (probe {probe:.0f} ms)"


def kind(cmdline: str) -> str | None:
    if "views.py" in cmdline:
        return "runner"
    return "redis" if cmdline.startswith("redis-server") else None


if __name__ == "__main__":
    main()
