"""A Kafka-protocol broker (Tansu) on a free loopback port, and the stream processes on it."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from bazaar.kafka import BAZAAR, environment, tansu_broker
from bazaar.settings import Settings


@contextmanager
def kafka_broker(log_file: Path | None = None) -> Iterator[str]:
    """Tansu, in memory, accepting connections; killed on exit. Yields its bootstrap address."""
    with tansu_broker(log_file=log_file) as bootstrap:
        yield bootstrap


def group_members(bootstrap: str, group: str) -> int:
    """How many consumers the broker counts in `group` now."""

    async def describe() -> int:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            [response] = await admin.describe_consumer_groups([group])
            return len(response.to_object()["groups"][0]["members"])
        finally:
            await admin.close()

    return asyncio.run(describe())


class StreamProcesses:
    """`bazaar relay` and `bazaar worker` processes a test starts, kills and restarts."""

    def __init__(self, settings: Settings, logs: Path) -> None:
        self.env = {**os.environ, **environment(settings)}
        self.logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, command: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{command}.log").open("ab") as log:
            process = subprocess.Popen(
                [*BAZAAR, command], env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """Gone at once, as in a crash: nothing flushed, nothing committed on the way out."""
        process.kill()
        process.wait(timeout=10)
        self.running.remove(process)

    def stop_all(self) -> None:
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.running.clear()
