"""Where each application's events go in Kafka: one topic per log, a partition per aggregate.

One topic per application (`bazaar.shop`, ...) rather than per aggregate type: positions
are numbered per application log, and a consumer can only tell it has seen every event up
to a position if that log arrives on one topic. The relay picks the partition itself
(`partition_of`, a stable hash of the aggregate id) and also sets the key to the aggregate
id, so each aggregate's events stay in order on one partition.
"""

from __future__ import annotations

import contextlib
from uuid import UUID

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

TOPIC_PREFIX = "bazaar."


def topic_for(application: str) -> str:
    return f"{TOPIC_PREFIX}{application.lower()}"


def partition_of(aggregate_id: UUID, partitions: int) -> int:
    """The partition of every event of this aggregate: the same on every relay run."""
    return aggregate_id.int % partitions


async def ensure_topics(bootstrap: str, applications: list[str], partitions: int) -> None:
    """Create the missing topics; an existing one must have `partitions` partitions."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = [topic_for(name) for name in applications]
        existing = set(await admin.list_topics())
        missing = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                await admin.create_topics(missing)
        for described in await admin.describe_topics(names):
            found = len(described["partitions"])
            if found != partitions:
                raise RuntimeError(
                    f"topic {described['topic']} has {found} partitions, not {partitions}: "
                    "set KAFKA_PARTITIONS to match (positions depend on it)"
                )
    finally:
        await admin.close()
