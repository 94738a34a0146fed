"""The topics of the event logs on a real broker (Tansu): made once, refused when they no
longer match KAFKA_PARTITIONS (positions are numbered per partition)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from streams.topics import ensure_topics, topic_for
from tests.kafka_broker import kafka_broker, topic_partitions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def bootstrap() -> Iterator[str]:
    with kafka_broker() as address:
        yield address


def a_log_name() -> str:
    return f"Shop{uuid.uuid4().hex[:8]}"


def test_each_log_gets_a_topic_of_its_own_with_the_partitions_asked_for(bootstrap: str) -> None:
    logs = [a_log_name(), a_log_name()]

    asyncio.run(ensure_topics(bootstrap, logs, 3))
    asyncio.run(ensure_topics(bootstrap, logs, 3))

    topics = [topic_for(name) for name in logs]
    assert topics == [f"bazaar.{name.lower()}" for name in logs]
    assert topic_partitions(bootstrap, topics) == dict.fromkeys(topics, 3)


def test_a_topic_with_another_partition_count_is_refused_with_the_setting_to_change(
    bootstrap: str,
) -> None:
    log = a_log_name()
    asyncio.run(ensure_topics(bootstrap, [log], 2))

    with pytest.raises(RuntimeError) as refused:
        asyncio.run(ensure_topics(bootstrap, [log], 4))

    assert str(refused.value) == (
        f"topic {topic_for(log)} has 2 partitions, not 4: "
        "set KAFKA_PARTITIONS to match (positions depend on it)"
    )
