"""What the benchmarks share: a throw-away database, `bazaar`'s environment, waiting for the API.

BENCH_DATABASE_URL names the Postgres server (a database on it is created and dropped),
BENCH_REDIS_URL the Redis database; both default to the local servers.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psycopg
import redis

from bazaar.settings import Settings

ADMIN_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def bazaar() -> str:
    """The `bazaar` command of this virtualenv."""
    return str(Path(sys.executable).with_name("bazaar"))


@contextmanager
def a_fresh_database(purpose: str) -> Iterator[dict[str, str]]:
    """A new database (and an emptied Redis db) with the environment `bazaar` needs to use them.

    The database is dropped on exit; a Redis position left by an earlier run would make a
    cache projection skip this run's events, hence the flush.
    """
    name = f"bazaar_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        yield {
            "DATABASE_URL": ADMIN_URL.rsplit("/", 1)[0] + f"/{name}",
            "REDIS_URL": REDIS_URL,
            "JWT_SECRET": uuid.uuid4().hex * 2,
            "LOG_LEVEL": "WARNING",
            "BAZAAR_ENV": "test",
            "PASSWORD_HASH_MEMORY_KIB": "8192",
            "PASSWORD_HASH_TIME_COST": "1",
        }
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def settings_from(env: dict[str, str]) -> Settings:
    return Settings(
        bazaar_env="test",
        database_url=env["DATABASE_URL"],
        redis_url=env["REDIS_URL"],
        jwt_secret=env["JWT_SECRET"],
        _env_file=None,
    )


def wait_until_up(base: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/ready").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    sys.exit("the API did not come up")


def register(client: httpx.Client, role: str) -> str:
    """A new user of `role`; their access token."""
    name = f"b{uuid.uuid4().hex[:10]}"
    body = {
        "email": f"{name}@bench.example",
        "username": name,
        "password": "bench-pass-1",
        "role": role,
    }
    response = client.post("/api/auth/register", json=body)
    response.raise_for_status()
    return str(response.json()["access"])


def a_stocked_store(client: httpx.Client, n_products: int) -> tuple[dict[str, str], str, list[str]]:
    """A new owner's store with `n_products` products of plenty of stock each.

    Returns the owner's auth header, the store id and the product ids.
    """
    owner = {"Authorization": f"Bearer {register(client, 'artisan')}"}
    store = client.post(
        "/api/stores",
        json={"name": "Bench", "city": "Lisbon", "lat": 38.7, "lng": -9.1},
        headers=owner,
    ).json()["id"]
    products = []
    for n in range(n_products):
        body = {"store_id": store, "title": f"Item {n}", "price": "3.50", "category": "bench"}
        product = client.post("/api/products", json=body, headers=owner).json()["id"]
        client.post(
            f"/api/stores/{store}/inventory",
            json={"product_id": product, "quantity": 1_000_000},
            headers=owner,
        ).raise_for_status()
        products.append(product)
    return owner, store, products
