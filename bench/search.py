"""Search, suggest and inventory listing over HTTP on a large generated catalogue.

    python bench/search.py [--products 100000] [--stores 50] [--requests 1000] [--concurrency 4]

On a fresh database (see bench/stack.py): `bazaar migrate`, `bazaar seed --products N
--stores M` (timed), then `bazaar runner` and two `bazaar api` processes, and waits until
every projection has caught up with the log (timed), and VACUUM ANALYZEs the database as
autovacuum would soon after (timed). Then, from --concurrency client
threads, each over its own keep-alive connection:

- GET /api/search/products?q=...: a word, two words, a word with every filter (category,
  price range, store, in stock) and a word near a store, each kind alone from one client,
  then all kinds together: p50/p95 latency and requests/s;
- GET /api/search/suggest?q=... (3 to 6 letter prefixes of the catalogue's words), with
  SUGGEST_PER_MINUTE raised so the rate limit never answers;
- GET /api/stores/{id}/inventory over all the stores, warm (the API whose Redis holds the
  inventory cache: X-Cache HIT) and cold (a second API on an empty Redis db, so every
  listing is read from SQL: X-Cache MISS).

BENCH_SEARCH_REDIS_URL (default db 12) and BENCH_COLD_REDIS_URL (default db 11) are
emptied first: a position left there by an earlier run would make the projections skip.
Client and servers share the machine: on few cores the figures include their contention.
Each phase reports `probe_ms` (see bench/cpu.py, sampled in a process of its own while the
phase runs) and the servers' CPU ms per request by process, raw and scaled to a quiet box.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
import psycopg
import redis
from cpu import ProbeProcess, cpu_seconds, per_operation_ms, stack_kind
from stack import ADMIN_URL, a_fresh_database, bazaar, wait_until_up

from bazaar.fake_catalogue import CRAFTS, FakeCatalogue
from bazaar.seed import store_id

PORT = int(os.environ.get("BENCH_PORT", "8767"))
WARM, COLD = f"http://127.0.0.1:{PORT}", f"http://127.0.0.1:{PORT + 1}"
WARM_REDIS = os.environ.get("BENCH_SEARCH_REDIS_URL", "redis://127.0.0.1:6379/12")
COLD_REDIS = os.environ.get("BENCH_COLD_REDIS_URL", "redis://127.0.0.1:6379/11")
CATCH_UP_TIMEOUT_S = 3600
SETTINGS = {"REDIS_URL": WARM_REDIS, "SUGGEST_PER_MINUTE": str(10**9), "POSTGRES_POOL_SIZE": "4"}
"""No rate limit on suggest; small pools, as each application opens its pool in full."""
WARM_UP = 10


@dataclass
class Timings:
    """Latencies in ms, statuses and X-Cache answers of one phase."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    cache: Counter[str] = field(default_factory=Counter)
    probe_ms: float = 0.0
    cpu_ms: dict[str, dict[str, float]] = field(default_factory=dict)
    """Per request, by kind of process (the API's Postgres backends as `api+pg`)."""

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies)
        return {
            "requests": len(ordered),
            "per_s": round(len(ordered) / self.seconds, 1),
            "p50_ms": round(statistics.median(ordered), 1),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 1),
            "statuses": dict(self.statuses),
            "x_cache": dict(self.cache),
            "probe_ms": round(self.probe_ms, 1),
            "cpu_ms_per_request": self.cpu_ms,
        }


def main() -> None:
    args = parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    for url in (WARM_REDIS, COLD_REDIS):
        redis.Redis.from_url(url).flushdb()
    with a_fresh_database("search") as database:
        env = {
            **os.environ,
            **database,
            "REDIS_URL": WARM_REDIS,
            "SUGGEST_PER_MINUTE": "1000000000",
        }
        report = {"products": args.products, "stores": args.stores, **prepare(args, env)}
        processes = start(args, env)
        try:
            report["catch_up_s"] = catch_up(env)
            report["vacuum_analyze_s"] = vacuum_analyze(env["DATABASE_URL"])
            report.update(measure(args))
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    print(json.dumps(report, indent=2))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--stores", type=int, default=50)
    parser.add_argument("--requests", type=int, default=1000, help="per search/suggest phase")
    parser.add_argument("--listings", type=int, default=200, help="per inventory phase")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads")
    parser.add_argument("--api-workers", type=int, default=1, help="per API process")
    return parser.parse_args()


def prepare(args: argparse.Namespace, env: dict[str, str]) -> dict[str, object]:
    """Migrate and seed; returns how long seeding took and the rate it printed."""
    subprocess.run([bazaar(), "migrate"], env=env, check=True)
    started = time.perf_counter()
    seeded = subprocess.run(
        [bazaar(), "seed", "--products", str(args.products), "--stores", str(args.stores)],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    rate = re.search(r"([\d,]+) commands/s", seeded)
    return {
        "seed_s": round(time.perf_counter() - started, 1),
        "seed_commands_per_s": rate.group(1) if rate else None,
    }


def start(args: argparse.Namespace, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    """The runner, the API on the warm Redis and a second API on an empty Redis db."""
    warm = {**env, "BAZAAR_PORT": str(PORT)}
    cold = {**env, "BAZAAR_PORT": str(PORT + 1), "REDIS_URL": COLD_REDIS}
    processes = [
        subprocess.Popen([bazaar(), "runner"], env=env),
        subprocess.Popen([bazaar(), "api", "--workers", str(args.api_workers)], env=warm),
        subprocess.Popen([bazaar(), "api", "--workers", str(args.api_workers)], env=cold),
    ]
    wait_until_up(WARM)
    wait_until_up(COLD)
    return processes


def catch_up(env: dict[str, str]) -> float:
    """Seconds until `bazaar projections status` shows no lag for any projection."""
    started = time.perf_counter()
    while time.perf_counter() - started < CATCH_UP_TIMEOUT_S:
        status = subprocess.run(
            [bazaar(), "projections", "status"], env=env, capture_output=True, text=True
        )
        found = re.findall(r"^\S+\s+\d+\s+(\d+)\s", status.stdout, re.MULTILINE)
        lags = [int(lag) for lag in found]
        if lags and not any(lags):
            return round(time.perf_counter() - started, 1)
        lag = max(lags) if lags else status.stderr.strip().splitlines()[-1:]
        print(f"projections: lag {lag}", file=sys.stderr, flush=True)
        time.sleep(5)
    raise SystemExit("the projections did not catch up")


def vacuum_analyze(database_url: str) -> float:
    """Seconds to VACUUM ANALYZE the database, as autovacuum does soon after a bulk load: a
    test server may run with it off, and searches planned without statistics on unmerged
    GIN pending lists took three times as long."""
    started = time.perf_counter()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
    return round(time.perf_counter() - started, 1)


def measure(args: argparse.Namespace) -> dict[str, object]:
    words = [w for craft in CRAFTS for w in (*craft.nouns, *craft.variants, *craft.qualities)]
    stores = [store_id(s) for s in range(args.stores)]
    kinds = search_kinds(words, args.stores)
    prefixes = [random.choice(words)[: random.randint(3, 6)] for _ in range(args.requests)]
    suggests = [("/api/search/suggest", {"q": prefix}) for prefix in prefixes]
    listings: list[Request] = [
        (f"/api/stores/{stores[n % len(stores)]}/inventory", {}) for n in range(args.listings)
    ]
    per_kind = args.requests // len(kinds)
    return {
        "search": {
            kind: run(
                WARM, [("/api/search/products", made()) for _ in range(per_kind)], 1
            ).summary()
            for kind, made in kinds.items()
        },
        "search_all_kinds": run(
            WARM,
            [("/api/search/products", made()) for _ in range(per_kind) for made in kinds.values()],
            args.concurrency,
        ).summary(),
        "suggest": run(WARM, suggests, args.concurrency).summary(),
        "inventory_warm": run(WARM, listings, args.concurrency).summary(),
        "inventory_cold": run(COLD, listings, args.concurrency).summary(),
    }


def search_kinds(words: list[str], stores: int) -> dict[str, Callable[[], dict[str, str]]]:
    """Query makers by kind: a word, two words, a word with every filter, a word near a store.

    Each kind is timed alone from one client, then all together from --concurrency."""
    categories = {w: craft.category for craft in CRAFTS for w in craft.nouns}
    nouns = list(categories)
    catalogue = FakeCatalogue()

    def filtered() -> dict[str, str]:
        noun = random.choice(nouns)
        return {
            "q": noun,
            "category": categories[noun],
            "min_price": "5",
            "max_price": "80",
            "store_id": str(store_id(random.randrange(stores))),
            "in_stock": "true",
        }

    def near() -> dict[str, str]:
        store = catalogue.store(random.randrange(stores))
        return {"q": random.choice(nouns), "near": f"{store.lat},{store.lng}", "radius_km": "50"}

    return {
        "word": lambda: {"q": random.choice(nouns)},
        "two_words": lambda: {"q": f"{random.choice(words)} {random.choice(nouns)}"},
        "filtered": filtered,
        "near": near,
    }


Request = tuple[str, dict[str, str]]


def run(base: str, requests: list[Request], concurrency: int) -> Timings:
    """GET every request once, from `concurrency` threads, after a short warm-up."""
    timings, lock = Timings(), threading.Lock()
    queue = iter(requests)
    with httpx.Client(base_url=base, timeout=60) as http:
        for path, params in requests[:WARM_UP]:
            http.get(path, params=params)

    def client() -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            while True:
                with lock:
                    request = next(queue, None)
                if request is None:
                    return
                began = time.perf_counter()
                response = http.get(request[0], params=request[1])
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    timings.latencies.append(elapsed)
                    timings.statuses[response.status_code] += 1
                    timings.cache[response.headers.get("X-Cache", "-")] += 1

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    before = cpu_seconds(server_kind, ADMIN_URL)
    with ProbeProcess() as probe:
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        timings.seconds = time.perf_counter() - started
    after = cpu_seconds(server_kind, ADMIN_URL)
    timings.probe_ms = probe.median_ms
    timings.cpu_ms = per_operation_ms(before, after, len(timings.latencies), probe.median_ms)
    return timings


def server_kind(cmdline: str) -> str | None:
    """The servers' share of a request, not this client's."""
    kind = stack_kind(cmdline)
    return kind if kind in ("api", "runner", "postgres", "redis") else None


if __name__ == "__main__":
    random.seed(7)
    main()
