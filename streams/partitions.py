"""Feeding projections from Kafka partitions with the in-process runner's guarantees.

Kafka keeps order per partition only, while the API's read-your-writes asks one question
per projection: "is every event up to position N applied?" (`tracking`, one row per
projection and log). How each projection copes with partitions:

- Entity views (catalogue, orders, stock in SQL; the Redis inventory and suggest index)
  guard every write with the aggregate's version, and an aggregate's events share one
  partition, in order: redelivered or replayed events change nothing, and no event of an
  aggregate can overtake an earlier one. Counters and saga jobs are keyed by event id.
- No projection reads another aggregate's rows while applying (listings join stock with
  products at query time), so events of different aggregates may interleave differently
  than in the log and still build the same rows. A projection that must read another
  aggregate's row on apply would need both on one partition: keep that rule.
- The query cache compares positions across projections; it stays sound because the
  positions it reads keep their meaning (below) and its generation only moves forward.

Positions. Each projection tracks each partition as its own log, `shop#3`, through the
same `session(Tracking(...))` it uses in process, so the effects of a batch and the
partition's position commit together. The position is a notification id, not an offset:
the relay stamps every message with `through`, the log position up to which this partition
has received everything meant for it (a tick carries it to a partition that got nothing).
A batch skips messages at or below the partition's position (redeliveries after a crash,
a rebalance or a relay restart) and records the highest `through` it saw.

Then the projection has applied every event up to N exactly when every partition's
position is at least N. After each batch the feed takes an advisory lock per projection,
reads all partition positions and raises the plain position (`shop`) to their minimum;
under the lock the last writer sees every committed batch, and the plain position only
moves forward. So `tracking` (and Redis's `position:shop` keys) mean what they meant in
process, and `read_after`, the query cache and `bazaar projections` work unchanged. A
partition never tracked starts from the plain position, so switching from the in-process
runner to Kafka resumes instead of replaying.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from psycopg_pool import ConnectionPool

from projections.base import Projection
from read_model.positions import partition_log, serialised
from read_model.sql.failures import Failure, ProjectionFailures
from streams.codec import Delivery

Received = tuple[int, Delivery]
"""A delivery and the partition it came from."""


class PartitionFeed:
    """Applies one application's deliveries, partition by partition, to one projection."""

    def __init__(
        self,
        app: Application[Any],
        projection: Projection,
        partitions: int,
        locks: ConnectionPool,
        failures: ProjectionFailures | None = None,
    ) -> None:
        self.app = app
        self.projection = projection
        self.partitions = partitions
        self.locks = locks
        self.failures = failures
        self.may_be_failing = True
        """A record may stand (one left by an earlier process too) until a batch applies."""
        self.topics = set(projection.topics)
        self.applied = 0

    def apply(self, received: Sequence[Received]) -> None:
        """Apply a batch (partitions may be mixed), then move the projection's position on.

        A batch that fails is recorded in `failures` (for readiness, metrics and status)
        and raised again; the next batch that applies clears the record.
        """
        try:
            self._apply_all(received)
        except Exception as error:
            self._record(received, error)
            raise
        if self.failures is not None and self.may_be_failing:
            self.failures.clear(self.projection.name, self.app.name)
            self.may_be_failing = False

    def _record(self, received: Sequence[Received], error: Exception) -> None:
        if self.failures is None:
            return
        self.may_be_failing = True
        first = min((delivery for _, delivery in received), key=lambda d: d.position)
        self.failures.record(
            Failure(
                projection=self.projection.name,
                application=self.app.name,
                position=first.position - 1,
                event_position=first.position,
                event_topic=first.event.topic if first.event is not None else None,
                error=f"{type(error).__name__}: {error}",
            )
        )

    def _apply_all(self, received: Sequence[Received]) -> None:
        by_partition = itertools.groupby(sorted(received, key=lambda r: r[0]), key=lambda r: r[0])
        for partition, group in by_partition:
            self._apply(partition, [delivery for _, delivery in group])
        self._settle()

    def _apply(self, partition: int, deliveries: list[Delivery]) -> None:
        log = partition_log(self.app.name, partition)
        done = max(self.projection.position(log), self.projection.position(self.app.name))
        reached, events = done, []
        for delivery in deliveries:
            if delivery.through <= reached:
                continue
            stored = delivery.event
            if stored is not None and delivery.position > reached and stored.topic in self.topics:
                events.append(self.app.mapper.to_domain_event(stored))
            reached = delivery.through
        if reached == done:
            return
        with self.projection.session(Tracking(log, reached)) as session:
            for event in events:
                self.projection.apply(event, session)
        self.applied += len(events)

    def _settle(self) -> None:
        with serialised(self.locks, f"{self.projection.name}@{self.app.name}"):
            reached = min(
                self.projection.position(partition_log(self.app.name, p))
                for p in range(self.partitions)
            )
            if reached > self.projection.position(self.app.name):
                with self.projection.session(Tracking(self.app.name, reached)):
                    pass
