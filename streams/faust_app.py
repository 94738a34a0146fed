"""The Faust app: one thin agent per subscription (application log and store) over its topic.

Agents batch what arrives, hand the batch to a PartitionFeed in a thread (projections do
blocking I/O) and retry it until it applies: a failing projection stalls its partitions,
never skips an event. Faust acks a batch once the agent has finished with it; whatever was
not acked is delivered again after a crash or rebalance, and the feed drops what it had
applied already. Workers started with the same app id share the partitions. A rebalance
does not wait for batches in flight (`stream_wait_empty=False`: waiting deadlocks with
`take_events`); their offsets are not committed, so the partition's next owner redelivers
them and the feed's positions sort out the overlap.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine, Sequence
from functools import partial
from typing import Any, cast

import faust
from eventsourcing.application import Application
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Consumer, Transport

from projections.subscriptions import Subscription
from read_model.sql.failures import ProjectionFailures
from streams.codec import delivery
from streams.partitions import PartitionFeed
from streams.supervision import supervise_async
from streams.topics import topic_for

log = logging.getLogger(__name__)
BATCH_SIZE = 2000
GATHER_SECONDS = 0.02
"""A batch gathers for 20 ms (or up to 2,000 messages): a subscription's transaction costs
about the same for 50 events as for 500, and ticks make many messages carry none."""
SESSION_TIMEOUT_S = 10.0
"""A crashed worker's partitions move to the others this soon; joins wait at most this long."""
FETCH_WAIT_MS = 100
"""How long a fetch may wait for messages. Faust fixes 1.5 s, which a broker that answers a
fetch only when its wait ends (Tansu does) adds to every event's lag; Kafka answers as soon
as a message arrives, so on Kafka this only bounds the idle polling."""
Agent = Callable[[faust.StreamT[bytes]], Coroutine[Any, Any, None]]


class QuickFetchThread(AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_WAIT_MS  # read when the consumer starts
        return consumer


class QuickFetchConsumer(Consumer):
    def _new_consumer_thread(self) -> QuickFetchThread:
        return QuickFetchThread(self, loop=self.loop, beacon=self.beacon)


class QuickFetchTransport(Transport):
    """Faust's Kafka transport, its consumer fetching with `FETCH_WAIT_MS`."""

    Consumer = QuickFetchConsumer


def streams_app(
    app_id: str,
    bootstrap: str,
    partitions: int,
    logs: Sequence[tuple[Application[Any], Sequence[Subscription]]],
    failures: ProjectionFailures | None = None,
) -> tuple[faust.App, list[PartitionFeed]]:
    """The app with its agents, and the feeds behind them (for progress reports)."""
    app = faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
        store="memory://",
        web_enabled=False,
        topic_partitions=partitions,
        topic_replication_factor=1,
        consumer_auto_offset_reset="earliest",
        broker_commit_every=BATCH_SIZE,
        broker_commit_interval=1.0,
        broker_session_timeout=SESSION_TIMEOUT_S,
        broker_rebalance_timeout=SESSION_TIMEOUT_S,
        broker_heartbeat_interval=1.0,
        stream_wait_empty=False,
    )
    app.transport = QuickFetchTransport(app.conf.broker_consumer, app)
    feeds = []
    for application, subscriptions in logs:
        topic = app.topic(
            topic_for(application.name),
            partitions=partitions,
            key_serializer="raw",
            value_serializer="raw",
        )
        for subscription in subscriptions:
            feed = PartitionFeed(application, subscription, partitions, failures)
            app.agent(topic, name=f"{application.name}.{subscription.name}")(feeding(feed))
            feeds.append(feed)
    return app, feeds


def feeding(feed: PartitionFeed) -> Agent:
    """The agent: decode each batch and apply it, however many tries it takes."""

    async def agent(stream: faust.StreamT[bytes]) -> None:
        # Faust hands agents a Stream; its type names only what every stream has.
        batches = cast(faust.Stream[bytes], stream).take_events(BATCH_SIZE, within=GATHER_SECONDS)
        async for events in batches:
            received = [(e.message.partition, delivery(e.headers, e.value)) for e in events]
            await _until_applied(feed, received)

    return agent


async def _until_applied(feed: PartitionFeed, received: Sequence[Any]) -> None:
    """Apply the batch, retrying; a stop before it applied ends the process like a crash.

    Faust acknowledges a batch when the agent leaves it, cancelled or not, and may commit
    its offsets on the way out. Exiting at once instead leaves them uncommitted: the
    partition's next owner gets the batch again, and the transaction in flight rolls back.
    """
    try:
        await supervise_async(feed.name, partial(asyncio.to_thread, feed.apply, received))
    except asyncio.CancelledError:
        log.warning("stopped with a batch of %s unapplied: exiting unacknowledged", feed.name)
        os._exit(0)
