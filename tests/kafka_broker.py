"""A Kafka-protocol broker (Tansu) on a free loopback port, and what its consumer groups hold."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from bazaar.dev_kafka import tansu_broker


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


def topic_partitions(bootstrap: str, topics: list[str]) -> dict[str, int]:
    """How many partitions the broker holds for each of `topics`."""

    async def describe() -> dict[str, int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics(topics)
            return {topic["topic"]: len(topic["partitions"]) for topic in described}
        finally:
            await admin.close()

    return asyncio.run(describe())
