"""Reservations on the real stack: checkouts (hold, then order it) and a wave of expiries.

Starts `bazaar api`, `bazaar runner --no-sagas` and `bazaar sagas run` on a fresh database,
seeds a store, then:

1. checkouts: wrk drives, on each connection, `POST /api/reservations` and then
   `POST /api/orders {reservation_id}` for it; prints checkouts/s (converted reservations
   per second, counted in the read model) and the latency of each request;
2. expiries: records `--expiring` reservations through the Shop application whose
   `expires_at` fall evenly within one minute, and prints the expiry delay (expires_at to
   the Expired event, as the reservations view records it) p50/p99/max, and the saga
   executor's CPU per expiry.

    python bench/reservations.py [--connections 16] [--duration 20] [--expiring 10000]

Needs wrk on the PATH (Debian package `wrk`), Postgres and Redis (see bench/stack.py).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import httpx
import psycopg
from cpu import Probe, cpu_seconds, per_operation_ms, stack_kind
from stack import a_fresh_database, a_stocked_store, bazaar, register, settings_from, wait_until_up

from bazaar.wiring import build
from read_model.sql.schema import LIVE_SCHEMA
from write_model.commands import OrderItem, ReserveStock

PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
WAVE_S = 60.0
"""The expiries fall evenly within this long."""
SLOWEST_RECORDING = 120.0
"""Reservations recorded per second, at least: the wave starts after the last is recorded."""

LUA = """
local tokens = {%(tokens)s}
local products = {%(products)s}
local store = "%(store)s"
local held = {}
local token = nil
request = function()
  -- one customer per wrk thread: the reservations a thread holds are that customer's
  token = token or tokens[math.random(#tokens)]
  local headers = {["Content-Type"] = "application/json",
                   ["Authorization"] = "Bearer " .. token}
  local id = table.remove(held)
  if id then
    return wrk.format("POST", "/api/orders", headers, '{"reservation_id":"' .. id .. '"}')
  end
  local product = products[math.random(#products)]
  local body = '{"store_id":"' .. store .. '","items":[{"product_id":"' .. product ..
               '","quantity":1}],"minutes":15}'
  return wrk.format("POST", "/api/reservations", headers, body)
end
response = function(status, headers, body)
  if status == 201 and string.find(body, '"status":"held"', 1, true) then
    held[#held + 1] = string.match(body, '"id":"([^"]+)"')
  end
end
"""


def main() -> None:
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    with a_fresh_database("reservations") as database:
        env = {**os.environ, **database, "BAZAAR_PORT": str(PORT)}
        subprocess.run([bazaar(), "migrate"], env=env, check=True)
        commands = [
            ["runner", "--no-sagas"],
            ["sagas", "run"],
            ["api", "--workers", str(args.api_workers)],
        ]
        processes = [subprocess.Popen([bazaar(), *command], env=env) for command in commands]
        try:
            wait_until_up(BASE)
            with httpx.Client(base_url=BASE, timeout=30) as client:
                _, store, products = a_stocked_store(client, args.products)
                tokens = [register(client, "customer") for _ in range(args.customers)]
            summary = {
                "checkouts": checkouts(args, tokens, store, products, env["DATABASE_URL"]),
                "expiries": expiries(args, env, UUID(store), [UUID(p) for p in products]),
            }
            print(json.dumps(summary, indent=2))
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
    parser.add_argument("--duration", type=int, default=20, help="seconds of checkouts")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--api-workers", type=int, default=2)
    parser.add_argument("--expiring", type=int, default=10_000, help="reservations in the wave")
    return parser.parse_args()


def checkouts(
    args: argparse.Namespace, tokens: list[str], store: str, products: list[str], database: str
) -> dict[str, object]:
    script = LUA % {
        "tokens": ",".join(f'"{t}"' for t in tokens),
        "products": ",".join(f'"{p}"' for p in products),
        "store": store,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
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
    before = cpu_seconds(stack_kind, database)
    with Probe() as loop:
        output = subprocess.run(command, capture_output=True, text=True, check=True)
    after = cpu_seconds(stack_kind, database)
    os.unlink(file.name)
    print(output.stdout)
    converted = settled_count(database, "converted", args.duration * 4)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", output.stdout, re.MULTILINE))
    return {
        "checkouts_per_s": round(converted / args.duration, 1),
        "request_latency_p50": latency.get("50"),
        "request_latency_p99": latency.get("99"),
        "probe_ms": round(loop.median_ms, 1),
        "cpu_ms_per_checkout": per_operation_ms(before, after, converted, loop.median_ms)
        if converted
        else None,
    }


def settled_count(database: str, status: str, settle_s: float) -> int:
    """Reservations the view shows in `status`, once it has stopped changing."""
    count, deadline = -1, time.monotonic() + settle_s
    while time.monotonic() < deadline:
        time.sleep(1)
        now = _scalar(database, "SELECT count(*) FROM reservations WHERE status = %s", status)
        if now == count:
            break
        count = now
    return count


def expiries(
    args: argparse.Namespace, env: dict[str, str], store: UUID, products: list[UUID]
) -> dict[str, object]:
    """Record the wave (four writer threads), then wait for every expiry."""
    container = build(settings_from(env))
    customer = uuid4()
    start = datetime.now(UTC) + timedelta(seconds=10 + args.expiring / SLOWEST_RECORDING)
    step = WAVE_S / args.expiring

    def reserve(n: int) -> None:
        expires_at = start + timedelta(seconds=n * step)
        item = OrderItem(product_id=products[n % len(products)], quantity=1)
        cmd = ReserveStock(
            reservation_id=uuid4(), user_id=customer, store_id=store, items=(item,), minutes=1
        )
        container.shop.reserve_stock(cmd, expires_at - timedelta(minutes=1))

    made = time.monotonic()
    with ThreadPoolExecutor(4) as writers:
        list(writers.map(reserve, range(args.expiring)))
    made_s = time.monotonic() - made
    late = datetime.now(UTC) > start
    database = env["DATABASE_URL"]
    before = cpu_seconds(stack_kind, database)
    with Probe() as loop:
        deadline = time.monotonic() + WAVE_S + (start - datetime.now(UTC)).total_seconds() + 60
        while _scalar(database, "SELECT count(*) FROM reservations WHERE status = 'held'"):
            if time.monotonic() > deadline:
                break
            time.sleep(1)
    after = cpu_seconds(stack_kind, database)
    container.close()
    delays = _delays_ms(database)
    sagas = {k: after.get(k, 0.0) - before.get(k, 0.0) for k in ("sagas", "sagas+pg")}
    return {
        "reservations": args.expiring,
        "recorded_per_s": round(args.expiring / made_s, 1),
        "recording_overran_the_wave": late,
        "expired": len(delays),
        "delay_p50_ms": _pct(delays, 0.5),
        "delay_p99_ms": _pct(delays, 0.99),
        "delay_max_ms": round(delays[-1], 1) if delays else None,
        "probe_ms": round(loop.median_ms, 1),
        "saga_cpu_ms_per_expiry": per_operation_ms({}, sagas, len(delays), loop.median_ms)
        if delays
        else None,
    }


def _delays_ms(database: str) -> list[float]:
    with psycopg.connect(database, options=f"-c search_path={LIVE_SCHEMA}") as conn:
        rows = conn.execute(
            "SELECT EXTRACT(EPOCH FROM updated_at - expires_at) * 1000 FROM reservations"
            " WHERE status = 'expired' ORDER BY 1"
        ).fetchall()
    return [float(row[0]) for row in rows]


def _pct(values: list[float], share: float) -> float | None:
    return round(values[max(0, int(len(values) * share) - 1)], 1) if values else None


def _scalar(database: str, query: str, *params: object) -> int:
    with psycopg.connect(database, options=f"-c search_path={LIVE_SCHEMA}") as conn:
        row = conn.execute(query, params).fetchone()
    return int(row[0]) if row else 0


if __name__ == "__main__":
    main()
