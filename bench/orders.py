"""Order throughput over HTTP: wrk drives POST /api/orders against the real stack.

Starts `bazaar api`, `bazaar runner --no-sagas` and `bazaar sagas run` as their own
processes on a fresh database, seeds a store with plenty of stock, runs wrk (Lua script,
one token per connection chosen at random) and, at the same time, a probe that measures
projection lag: the time from an order's 201 until its row is in the read model (`row_lag`,
the runner's share) and until GET /api/orders/{id} (no X-Min-Position) shows it (`lag`,
which under load also counts the GETs queued behind wrk's requests).

    python bench/orders.py [--connections 16] [--duration 20] [--products 200] [--lines 1]
                           [--rate R] [--no-sagas]

`--rate` paces the load (wrk's `delay` hook) for figures at part of the stack's capacity,
such as projection lag at half the load.

The saga executor's work is reported apart (jobs done during the load, jobs/s, CPU ms per
job); `--no-sagas` leaves it out, for the orders/s of the stack without it. `total` is the
CPU per order of every process but the saga executor.

Needs wrk on the PATH (Debian package `wrk`), Postgres and Redis (see bench/stack.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from cpu import Probe, cpu_seconds, per_operation_ms, stack_kind
from stack import a_fresh_database, a_stocked_store, bazaar, register, wait_until_up

from read_model.sql.schema import LIVE_SCHEMA

PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
LAG_GIVE_UP_S = 5.0
SAGAS = ("sagas", "sagas+pg")
"""The saga executor and its Postgres backends, reported apart."""

LUA = """
local tokens = {%(tokens)s}
local products = {%(products)s}
local store = "%(store)s"
local counter = 0
request = function()
  counter = counter + 1
  local token = tokens[math.random(#tokens)]
  local first = math.random(#products)
  local items = {}
  for n = 0, %(lines)d - 1 do
    local product = products[(first + n) %% #products + 1]
    items[#items + 1] = '{"product_id":"' .. product .. '","quantity":1}'
  end
  local body = '{"store_id":"' .. store .. '","items":[' .. table.concat(items, ",") .. ']}'
  return wrk.format("POST", "/api/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
%(pacing)s
response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("status " .. status .. ": " .. body .. "\\n")
  end
end
"""


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    with a_fresh_database("orders") as database:
        load_the_stack(args, {**os.environ, **database, "BAZAAR_PORT": str(PORT)})


def load_the_stack(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Migrate, start the runner and the API as their own processes, seed, load, report."""
    subprocess.run([bazaar(), "migrate"], env=env, check=True)
    streams = [[bazaar(), "runner", "--no-sagas"]]
    if args.sagas:
        streams.append([bazaar(), "sagas", "run"])
    processes = [
        *(
            [subprocess.Popen(command, env=env) for command in streams]
            if not os.environ.get("BENCH_NO_RUNNER")
            else []
        ),
        subprocess.Popen([bazaar(), "api", "--workers", str(args.api_workers)], env=env),
    ]
    try:
        wait_until_up(BASE)
        tokens, store, products = seed(args.products, args.customers)
        result = run_load(args, tokens, store, products, env["DATABASE_URL"])
        report(result, processes[-1].pid)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--lines", type=int, default=1, help="products per order")
    parser.add_argument(
        "--rate", type=float, help="orders/s to pace the load at (default: as fast as it goes)"
    )
    parser.add_argument(
        "--no-sagas", dest="sagas", action="store_false", help="run no saga executor"
    )
    return parser.parse_args()


def seed(n_products: int, n_customers: int) -> tuple[list[str], str, list[str]]:
    with httpx.Client(base_url=BASE, timeout=30) as client:
        _, store, products = a_stocked_store(client, n_products)
        tokens = [register(client, "customer") for _ in range(n_customers)]
    return tokens, store, products


def run_load(
    args: argparse.Namespace, tokens: list[str], store: str, products: list[str], database: str
) -> dict[str, object]:
    script = LUA % {
        "pacing": pacing(args.rate, args.connections),
        "lines": args.lines,
        "tokens": ",".join(f'"{t}"' for t in tokens),
        "products": ",".join(f'"{p}"' for p in products),
        "store": store,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    lags: list[float] = []
    in_table: list[float] = []
    stop = threading.Event()
    probe = threading.Thread(
        target=measure_lag,
        args=(tokens[0], store, products, lags, stop, database, in_table),
    )
    probe.start()
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        file.name,
        BASE,
    ]
    before, jobs_before = cpu_seconds(stack_kind, database), jobs_done(database)
    with Probe() as loop:
        output = subprocess.run(command, capture_output=True, text=True, check=True)
    after, jobs = cpu_seconds(stack_kind, database), jobs_done(database) - jobs_before
    stop.set()
    probe.join()
    os.unlink(file.name)
    orders = int(re.search(r"(\d+) requests in", output.stdout).group(1))  # type: ignore[union-attr]
    per_order = per_operation_ms(before, after, orders, loop.median_ms)
    executor = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in SAGAS}
    return {
        "wrk": output.stdout,
        "errors": output.stderr.count("status "),
        "lags": lags,
        "in_table": in_table,
        "probe_ms": round(loop.median_ms, 1),
        "cpu_ms_per_order": per_order,
        "total_cpu_ms_per_order": {
            scale: round(sum(v[scale] for k, v in per_order.items() if k not in SAGAS), 3)
            for scale in ("raw", "scaled")
        },
        "saga_jobs": {
            "done": jobs,
            "per_s": round(jobs / args.duration, 1),
            "cpu_ms_per_job": per_operation_ms({}, executor, jobs, loop.median_ms)
            if jobs
            else None,
        },
    }


def pacing(rate: float | None, connections: int) -> str:
    """wrk's `delay` hook: each connection waits connections / rate between its requests, so
    the load stays near `rate` orders/s (a little under: the wait adds to each answer's)."""
    if rate is None:
        return ""
    return f"delay = function() return {connections * 1000 / rate:.3f} end"


def jobs_done(database: str) -> int:
    with psycopg.connect(database) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM {LIVE_SCHEMA}.saga_jobs WHERE status = 'done'"
        ).fetchone()
    return int(row[0]) if row else 0


def measure_lag(
    token: str,
    store: str,
    products: list[str],
    lags: list[float],
    stop: threading.Event,
    database: str | None = None,
    in_table: list[float] | None = None,
) -> None:
    """Place an order every 50 ms and time how long until the API shows it (`lags`) and,
    with `database`, until its row is in the read model (`in_table`): under load the first
    also counts the GETs queued behind the load's requests, the second only the runner."""
    auth = {"Authorization": f"Bearer {token}"}
    rows = psycopg.connect(database, autocommit=True) if database else None
    with httpx.Client(base_url=BASE, timeout=30, headers=auth) as client:
        while not stop.wait(0.05):
            body = {"store_id": store, "items": [{"product_id": products[0], "quantity": 1}]}
            placed = client.post("/api/orders", json=body)
            if placed.status_code != 201:
                continue
            answered = time.perf_counter()
            order_id = placed.json()["id"]
            if rows is not None and in_table is not None:
                in_table.append(_until_row(rows, order_id, answered))
            while client.get(f"/api/orders/{order_id}").status_code != 200:
                if time.perf_counter() - answered > LAG_GIVE_UP_S:
                    break
            else:
                lags.append((time.perf_counter() - answered) * 1000)
    if rows is not None:
        rows.close()


def _until_row(rows: psycopg.Connection[Any], order_id: str, answered: float) -> float:
    """Milliseconds from `answered` until the order's row is in the read model (polled)."""
    query = f"SELECT 1 FROM {LIVE_SCHEMA}.orders WHERE id = %s"
    while rows.execute(query, (order_id,)).fetchone() is None:
        if time.perf_counter() - answered > LAG_GIVE_UP_S:
            break
        time.sleep(0.001)
    return (time.perf_counter() - answered) * 1000


def report(result: dict[str, object], api_pid: int) -> None:
    wrk = str(result["wrk"])
    print(wrk)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)", wrk, re.MULTILINE))
    lags = sorted(result["lags"])  # type: ignore[arg-type]
    in_table = sorted(result["in_table"])
    rss_mb = peak_rss_mb(api_pid)
    workers_mb = [round(kb / 1024, 1) for c in children(api_pid) if (kb := _vm_hwm_kb(c))]
    summary = {
        "orders_per_s": round(rate, 1),
        "latency_p50": latency.get("50"),
        "latency_p99": latency.get("99"),
        "non_201": result["errors"],
        "lag_samples": len(lags),
        "lag_p50_ms": round(statistics.median(lags), 1) if lags else None,
        "lag_p99_ms": round(lags[int(len(lags) * 0.99) - 1], 1) if lags else None,
        "row_lag_p50_ms": round(statistics.median(in_table), 1) if in_table else None,
        "row_lag_p99_ms": round(in_table[int(len(in_table) * 0.99) - 1], 1) if in_table else None,
        "api_peak_rss_mb": rss_mb,
        "api_worker_peak_rss_mb": workers_mb,
        "probe_ms": result["probe_ms"],
        "cpu_ms_per_order": result["cpu_ms_per_order"],
        "total_cpu_ms_per_order": result["total_cpu_ms_per_order"],
        "saga_jobs": result["saga_jobs"],
    }
    print(json.dumps(summary, indent=2))


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of the API: the uvicorn parent and its worker processes."""
    pids = [pid, *children(pid)]
    peaks = [_vm_hwm_kb(p) for p in pids]
    known = [kb for kb in peaks if kb is not None]
    return round(sum(known) / 1024, 1) if known else None


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _vm_hwm_kb(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) if match else None


if __name__ == "__main__":
    main()
