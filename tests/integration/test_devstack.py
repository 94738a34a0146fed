"""The embedded dev stack of `bazaar up` really serves, keeps its data and leaves nothing behind."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from bazaar.devstack import DevServices, embedded_services

pytestmark = pytest.mark.integration

HOLD_STACK = """
import pathlib, sys
from bazaar.devstack import embedded_services
with embedded_services(pathlib.Path(sys.argv[1]), need_postgres=True, need_redis=True):
    print("up", flush=True)
    sys.stdin.read()
"""


def visit(data_dir: Path) -> tuple[int, int, DevServices]:
    """Count this visit in both stores, so a second visit proves the data was kept."""
    with embedded_services(data_dir, need_postgres=True, need_redis=True) as services:
        assert services.database_url is not None and services.redis_url is not None
        with psycopg.connect(services.database_url) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS visits (n int)")
            conn.execute("INSERT INTO visits VALUES (1)")
            row = conn.execute("SELECT count(*) FROM visits").fetchone()
        with redis.Redis.from_url(services.redis_url) as client:
            visits = int(client.incr("visits"))
    assert row is not None
    return int(row[0]), visits, services


def test_data_survives_a_restart(tmp_path: Path) -> None:
    visit(tmp_path)

    rows, visits, _ = visit(tmp_path)

    assert (rows, visits) == (2, 2)


def test_nothing_keeps_running_once_the_stack_stops(tmp_path: Path) -> None:
    _, _, services = visit(tmp_path)

    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(services.database_url or "", connect_timeout=2)
    with (
        redis.Redis.from_url(services.redis_url or "") as client,
        pytest.raises(redis.ConnectionError),
    ):
        client.ping()


def test_starts_only_what_is_missing(tmp_path: Path) -> None:
    with embedded_services(tmp_path, need_postgres=False, need_redis=True) as services:
        assert services.database_url is None
        assert services.redis_url is not None
        assert not (tmp_path / "pg").exists()


def test_one_stack_per_data_dir(tmp_path: Path) -> None:
    with (
        embedded_services(tmp_path, need_postgres=False, need_redis=False),
        pytest.raises(RuntimeError, match="in use"),
        embedded_services(tmp_path, need_postgres=False, need_redis=False),
    ):
        pass


def test_a_killed_run_leaves_nothing_in_the_way(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_STACK, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "up\n"
    holder.kill()
    holder.communicate(timeout=30)
    assert visit(tmp_path)[:2] == (1, 1)
