"""Event encoding cost: the library's JSON transcoder against ours on orjson, through the mapper.

    python bench/transcoding.py [--rounds 7] [--iterations 20000]

Records a store, its products, their stock and an order of 3 lines on the in-memory event store,
then times `Mapper.to_stored_event` and `Mapper.to_domain_event` on each kind of event with
either transcoder, taking turns within each round. Prints CPU µs per event (the median of
the rounds), raw and scaled to a quiet box (30 / probe ms, see cpu.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cpu import QUIET_PROBE_MS, probe_ms
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from bazaar.transcoder import OrjsonTranscoder
from write_model.shop import Shop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.builders import (
    IN_MEMORY,
    a_product_in,
    a_shop,
    a_store_in,
    an_artisan,
    an_order_for,
    stock_of,
)

TRANSCODERS = {
    "json": {},
    "orjson": {"TRANSCODER_TOPIC": get_topic(OrjsonTranscoder)},
}
"""The library's default, and ours."""
KINDS = (
    "Order.Placed",
    "StockItem.Reserved",
    "StockItem.Received",
    "Product.Listed",
    "Store.Registered",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--iterations", type=int, default=20_000)
    args = parser.parse_args()
    mappers = {name: Shop(env={**IN_MEMORY, **env}).mapper for name, env in TRANSCODERS.items()}
    events = recorded_events()
    samples: dict[tuple[str, str, str], list[float]] = {}
    probes = [probe_ms()]
    for _ in range(args.rounds):
        for kind, stored in events.items():
            for name, mapper in mappers.items():
                for step, timed in steps(mapper, stored).items():
                    key = (kind, step, name)
                    samples.setdefault(key, []).append(us_per_call(timed, args.iterations))
        probes.append(probe_ms())
    report(samples, statistics.median(probes))


def recorded_events() -> dict[str, StoredEvent]:
    """The first stored event of each kind in `KINDS`, as the library's transcoder wrote it."""
    shop, owner = a_shop(), an_artisan()
    store_id = a_store_in(shop, owner)
    items = {}
    for n in range(3):
        product_id = a_product_in(shop, store_id, owner, "12.50", f"Stoneware mug n°{n}")
        stock_of(shop, store_id, product_id, owner, 10)
        items[product_id] = n + 1
    an_order_for(shop, store_id, owner.user_id, items)
    found: dict[str, StoredEvent] = {}
    for notification in shop.recorder.select_notifications(start=1, limit=100):
        kind = ".".join(notification.topic.split(":")[1].split(".")[-2:])
        found.setdefault(kind, notification)
    return {kind: found[kind] for kind in KINDS}


def steps(mapper: Mapper[Any], stored: StoredEvent) -> dict[str, Callable[[], object]]:
    """Encoding a domain event, and decoding what this mapper stores for it."""
    domain_event = mapper.to_domain_event(stored)
    own = mapper.to_stored_event(domain_event)
    return {
        "encode": lambda: mapper.to_stored_event(domain_event),
        "decode": lambda: mapper.to_domain_event(own),
    }


def us_per_call(timed: Callable[[], object], iterations: int) -> float:
    started = time.process_time()
    for _ in range(iterations):
        timed()
    return (time.process_time() - started) * 1e6 / iterations


def report(samples: dict[tuple[str, str, str], list[float]], probe: float) -> None:
    scale = QUIET_PROBE_MS / probe
    print(f"CPU µs per event, median of rounds (probe {probe:.1f} ms; scaled = raw * 30 / probe)")
    print(f"{'event':20} {'step':7} {'transcoder':10} {'raw':>7} {'scaled':>7} {'vs json':>8}")
    for (kind, step, name), values in samples.items():
        raw = statistics.median(values)
        base = statistics.median(samples[(kind, step, "json")])
        print(f"{kind:20} {step:7} {name:10} {raw:7.2f} {raw * scale:7.2f} {raw / base:7.2f}x")


if __name__ == "__main__":
    main()
