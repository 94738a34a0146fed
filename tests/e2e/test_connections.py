"""The documented topology fits a shared Postgres: two API workers, a runner and a saga
executor hold at most 40 connections under load, and a CLI call still gets one."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bazaar.dev_kafka import BAZAAR, environment
from bazaar.settings import Settings
from bazaar.wiring import migrate
from tests.http_driver import a_product, a_store, place, receive, register
from tests.stacks import (
    CONNECTION_BUDGET,
    BazaarProcesses,
    a_fresh_database,
    a_redis_server,
    free_port,
    peak_connections,
)
from tests.waiting import poll_until

pytestmark = pytest.mark.e2e
ORDERS = 200
CLIENTS = 16


@pytest.fixture(scope="module")
def topology(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, str]]:
    """`bazaar api --workers 2`, `bazaar runner --no-sagas` and `bazaar sagas run`, with the
    default pool sizes, on a database and a Redis of their own."""
    logs = tmp_path_factory.mktemp("topology")
    with a_fresh_database() as database_url, a_redis_server(logs) as redis_server:
        settings = Settings(
            _env_file=None,
            bazaar_env="test",
            database_url=database_url,
            redis_url=redis_server.url,
            jwt_secret="topology-test-secret-0123456789abcdef",
            bazaar_port=free_port(),
            password_hash_memory_kib=8192,
            password_hash_time_cost=1,
        )
        migrate(settings)
        processes = BazaarProcesses(settings, logs)
        try:
            processes.start("api", "--workers", "2")
            processes.start("runner", "--no-sagas")
            processes.start("sagas", "run")
            url = f"http://127.0.0.1:{settings.bazaar_port}"
            poll_until(lambda: _answers(url), timeout=60)
            yield settings, url
        finally:
            processes.stop_all()


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/ready").status_code == 200
    except httpx.HTTPError:
        return False


def test_the_documented_topology_stays_within_the_budget_under_load(
    topology: tuple[Settings, str],
) -> None:
    settings, url = topology
    with httpx.Client(base_url=url, timeout=30) as client:
        owner = register(client, "artisan")
        store = a_store(client, owner)
        products = [a_product(client, owner, store["id"])["id"] for _ in range(CLIENTS)]
        for product in products:
            receive(client, owner, store["id"], product, ORDERS)
        customers = [register(client) for _ in range(CLIENTS)]

        with (
            peak_connections(settings.database_url or "") as connections,
            ThreadPoolExecutor(max_workers=CLIENTS) as pool,
        ):
            placed = list(
                pool.map(
                    lambda n: place(
                        client, customers[n % CLIENTS], store["id"], {products[n % CLIENTS]: 1}
                    ),
                    range(ORDERS),
                )
            )

    assert [r.status_code for r in placed] == [201] * ORDERS, [r.text for r in placed][:3]
    assert connections.peak <= CONNECTION_BUDGET


def test_a_command_line_call_beside_the_loaded_topology_gets_its_connections(
    topology: tuple[Settings, str],
) -> None:
    settings, _ = topology

    status = subprocess.run(
        [*BAZAAR, "projections", "status"],
        env={**os.environ, **environment(settings)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert status.returncode == 0, status.stderr
    assert "orders" in status.stdout
