"""Saga latency under a steady order load: from a command's answer to its side effect.

Starts `bazaar api`, `bazaar runner --no-sagas` and `bazaar sagas run` as their own
processes on a fresh database, with a real SMTP sink and a real shipping webhook in this
process. Places orders at a steady rate and ships every fifth one, then reports, per saga,
the time from the 201/200 answer to the effect: the confirmation e-mail arriving at the
SMTP server, the invoice stored, the webhook called; and, to tell the runner's part from
the executor's, until the confirmation job was recorded.

    python bench/sagas.py [--rate 40] [--duration 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg
from stack import a_fresh_database, a_stocked_store, bazaar, register, wait_until_up

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.fakes import SmtpSink, Webhook, a_webhook, an_smtp_sink

PORT = int(os.environ.get("BENCH_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"
SHIP_EVERY = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=40.0, help="orders per second")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load")
    args = parser.parse_args()
    with a_fresh_database("sagas") as database, an_smtp_sink() as sink, a_webhook() as hook:
        env = {
            **os.environ,
            **database,
            "BAZAAR_PORT": str(PORT),
            "SMTP_URL": sink.url,
            "SHIPPING_WEBHOOK_URL": hook.url,
        }
        subprocess.run([bazaar(), "migrate"], env=env, check=True)
        processes = [
            subprocess.Popen([bazaar(), "runner", "--no-sagas"], env=env),
            subprocess.Popen([bazaar(), "sagas", "run"], env=env),
            subprocess.Popen([bazaar(), "api"], env=env),
        ]
        try:
            wait_until_up(BASE)
            placed, shipped = load(args.rate, args.duration)
            wait_for_effects(database["DATABASE_URL"], len(placed))
            report(placed, shipped, sink, hook, database["DATABASE_URL"])
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=10)


def load(rate: float, duration: float) -> tuple[dict[str, float], dict[str, float]]:
    """Orders at `rate` per second; returns when each was answered (and shipped)."""
    placed: dict[str, float] = {}
    shipped: dict[str, float] = {}
    with httpx.Client(base_url=BASE, timeout=30) as client:
        owner, store, (product,) = a_stocked_store(client, 1)
        customers = [{"Authorization": f"Bearer {register(client, 'customer')}"} for _ in range(8)]
    lock = threading.Lock()

    def one(n: int) -> None:
        with httpx.Client(base_url=BASE, timeout=30) as client:
            order = {"store_id": store, "items": [{"product_id": product, "quantity": 1}]}
            answer = client.post("/api/orders", json=order, headers=customers[n % 8])
            if answer.status_code != 201:
                return
            order_id = answer.json()["id"]
            with lock:
                placed[order_id] = time.time()
            if n % SHIP_EVERY == 0:
                for status in ("processing", "shipped"):
                    moved = client.patch(
                        f"/api/orders/{order_id}", json={"status": status}, headers=owner
                    )
                with lock:
                    if moved.status_code == 200:
                        shipped[order_id] = time.time()

    start = time.monotonic()
    with ThreadPoolExecutor(16) as pool:
        for n in range(int(rate * duration)):
            time.sleep(max(0.0, start + n / rate - time.monotonic()))
            pool.submit(one, n)
    return placed, shipped


def wait_for_effects(database_url: str, orders: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT count(*) FILTER (WHERE status IN ('pending', 'running')),"
                " count(*) FILTER (WHERE saga = 'invoice') FROM read.saga_jobs"
            ).fetchone()
            if row is not None and row[0] == 0 and row[1] >= orders:
                return
            time.sleep(0.2)


def report(
    placed: dict[str, float],
    shipped: dict[str, float],
    sink: SmtpSink,
    hook: Webhook,
    database_url: str,
) -> None:
    mail = {}
    for message, at in zip(sink.messages, sink.arrivals, strict=True):
        order_id = message["Message-ID"].removeprefix("<order-").split("-confirmed")[0]
        mail[order_id] = at
    calls = {call["body"]["order_id"]: call["at"] for call in hook.calls}
    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT order_id::text, extract(epoch FROM created_at) FROM read.invoices"
        ).fetchall()
        jobs = conn.execute(
            "SELECT key, extract(epoch FROM created_at) FROM read.saga_jobs"
            " WHERE saga = 'confirmation_email'"
        ).fetchall()
    invoices = {order_id: float(at) for order_id, at in rows}
    recorded = {order_id: float(at) for order_id, at in jobs}
    summary = {
        "orders": len(placed),
        "shipped": len(shipped),
        "job_recorded": spread(placed, recorded),
        "confirmation_email": spread(placed, mail),
        "invoice": spread(placed, invoices),
        "shipping_webhook": spread(shipped, calls),
    }
    print(json.dumps(summary, indent=2))


def spread(started: dict[str, float], done: dict[str, float]) -> dict[str, float | int]:
    """p50/p99 milliseconds from each command's answer to its effect; how many are missing."""
    latencies = sorted((done[key] - at) * 1000 for key, at in started.items() if key in done)
    if not latencies:
        return {"missing": len(started)}
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[max(0, int(len(latencies) * 0.99) - 1)], 1),
        "missing": len(started) - len(latencies),
    }


if __name__ == "__main__":
    main()
