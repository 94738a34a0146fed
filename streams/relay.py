"""The relay: follows each application's notification log and publishes it to Kafka.

At least once, in log order. A batch is published (every send acknowledged by all
replicas) before its end is recorded in `relay_positions`, so a restart resumes from the
last recorded position: it may publish a batch again, never skip one; consumers drop the
repeats by position. Each message goes to its aggregate's partition (key = aggregate id);
the last message a batch sends to a partition carries the batch's end as `through`, and
each partition the batch sent nothing to gets a tick saying so. One relay runs at a time
(an advisory lock): two would interleave their batches on a partition. While Kafka is down
the relay retries with backoff; commands go on being accepted and are published on return.

aiokafka sends one request at a time per broker, so a retried send cannot overtake a later
one: order per partition holds even without idempotent production (`enable_idempotence`),
which brokers that lack the newer InitProducerId request (Tansu) cannot grant.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application
from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import Connection
from psycopg_pool import ConnectionPool

from read_model import positions
from streams import codec
from streams.supervision import (
    IDLE_WAKEUP_SECONDS,
    await_notify,
    listen,
    supervise_async,
    wait_or_stop,
)
from streams.topics import ensure_topics, partition_of, topic_for

log = logging.getLogger(__name__)
BATCH_SIZE = 1000
GATHER_SECONDS = 0.01
"""After a batch, let the next events gather: under load a batch every 10 ms, not one per
commit, and so far fewer ticks (one per partition a batch misses) for the workers."""
RELAY_LOCK = 7_146_001
"""Advisory lock key held by the running relay."""


class Relay:
    """Publishes every application log in `apps` to its topic, from the recorded position."""

    def __init__(
        self,
        apps: Sequence[Application[Any]],
        pool: ConnectionPool,
        bootstrap: str,
        partitions: int,
        *,
        idempotent: bool = True,
    ) -> None:
        self.apps = apps
        self.pool = pool
        self.bootstrap = bootstrap
        self.partitions = partitions
        self.idempotent = idempotent
        self.published = 0
        """Events published so far by this process (repeats included)."""

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until `stopping` is set; a failure (Kafka down) restarts it with backoff."""
        with self.pool.connection() as lock:
            await self._hold(lock, stopping)
            try:
                await supervise_async("relay", partial(self._relay, stopping), stopping)
            finally:
                lock.execute("SELECT pg_advisory_unlock_all()")

    async def _hold(self, lock: Connection[Any], stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            row = lock.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK,)).fetchone()
            if row and row[0]:
                return
            log.info("another relay is running; waiting for it to stop")
            await wait_or_stop(stopping, IDLE_WAKEUP_SECONDS)

    async def _relay(self, stopping: asyncio.Event) -> None:
        await ensure_topics(self.bootstrap, [app.name for app in self.apps], self.partitions)
        producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            acks="all",
            enable_idempotence=self.idempotent,
            linger_ms=2,
            max_batch_size=256 * 1024,
        )
        await producer.start()
        try:
            await asyncio.gather(*(self._follow(app, producer, stopping) for app in self.apps))
        finally:
            await producer.stop()

    async def _follow(
        self, app: Application[Any], producer: AIOKafkaProducer, stopping: asyncio.Event
    ) -> None:
        recorder = app.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):
            raise TypeError("The relay follows a PostgreSQL event store")
        position = await asyncio.to_thread(positions.relayed, self.pool, app.name)
        with recorder.datastore.get_connection() as listener:
            listen(listener, recorder.channel_name)
            while not stopping.is_set():
                head = await asyncio.to_thread(recorder.max_notification_id) or 0
                if head <= position:
                    await asyncio.to_thread(await_notify, listener)
                    continue
                batch = await asyncio.to_thread(
                    recorder.select_notifications, position + 1, BATCH_SIZE, head
                )
                end = batch[-1].id if len(batch) == BATCH_SIZE else head
                await self._publish(producer, topic_for(app.name), batch, end)
                await asyncio.to_thread(positions.record_relayed, self.pool, app.name, end)
                position = end
                await wait_or_stop(stopping, GATHER_SECONDS)

    async def _publish(
        self, producer: AIOKafkaProducer, topic: str, batch: list[Notification], end: int
    ) -> None:
        """Send the batch and its ticks; return once every send is acknowledged."""
        sent = [
            await producer.send(
                topic,
                n.state if n else b"",
                key=str(n.originator_id).encode() if n else None,
                partition=partition,
                headers=headers,
            )
            for partition, n, headers in messages(batch, end, self.partitions)
        ]
        await asyncio.gather(*sent)
        self.published += len(batch)


Message = tuple[int, Notification | None, codec.Headers]
"""Partition, event (None: a tick) and headers of one message to send."""


def messages(batch: list[Notification], end: int, partitions: int) -> list[Message]:
    """A batch ending at `end` as messages: each event on its aggregate's partition, the last
    one there saying `through` `end`; a tick to every partition the batch missed."""
    routed = [(partition_of(UUID(str(n.originator_id)), partitions), n) for n in batch]
    last = {partition: n.id for partition, n in routed}
    sent: list[Message] = [
        (p, n, codec.event_headers(n, end if last[p] == n.id else n.id)) for p, n in routed
    ]
    ticks = sorted(set(range(partitions)) - last.keys())
    return sent + [(p, None, codec.tick_headers(end)) for p in ticks]
