"""Feeding subscriptions from Kafka partitions with the in-process runner's guarantees.

Kafka keeps order per partition only. That is enough for the views: entity rows are
guarded by the aggregate's version and an aggregate's events share one partition, in
order; counters and saga jobs are keyed by event id; no view reads another aggregate's
rows while applying. So events of different aggregates may interleave differently than in
the log and still build the same rows (a view that must read another aggregate's row on
apply would need both on one partition: keep that rule).

Positions. Each view tracks each partition as a log of its own (`shop#3`). The position is
a notification id, not an offset: the relay stamps every message with `through`, the log
position up to which its partition has received everything meant for it (a tick carries it
to a partition that got nothing). A batch skips what its partitions' positions already
cover (redeliveries after a crash, a rebalance or a relay restart), and commits its
effects with every partition's new position and, last, the plain position (`shop`) raised
to the slowest partition — in one transaction (Redis: one MULTI) per subscription. So
`tracking` means what it means in process: every event up to N is applied, and
`X-Min-Position`, the query cache and `bazaar projections` work unchanged. A partition
never tracked starts from the plain position, so moving from the in-process runner to
Kafka resumes instead of replaying.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking

from projections.subscriptions import Subscription
from read_model.positions import Partitioned, partition_log
from read_model.sql.failures import Failure, ProjectionFailures
from streams.codec import Delivery

Received = tuple[int, Delivery]
"""A delivery and the partition it came from."""


class PartitionFeed:
    """Applies one application's deliveries, from any of its partitions, to one subscription."""

    def __init__(
        self,
        app: Application[Any],
        subscription: Subscription,
        partitions: int,
        failures: ProjectionFailures | None = None,
    ) -> None:
        self.app = app
        self.subscription = subscription
        self.failures = failures
        self.may_be_failing = True
        """A record may stand (one left by an earlier process too) until a batch applies."""
        self.topics = set(subscription.topics)
        self.log = Partitioned(
            app.name, tuple(partition_log(app.name, p) for p in range(partitions))
        )
        self.applied = 0

    @property
    def name(self) -> str:
        return self.subscription.name

    def apply(self, received: Sequence[Received]) -> None:
        """Apply a batch (partitions may be mixed) and move the positions on, at once.

        A batch that fails is recorded in `failures` (for readiness, metrics and status)
        and raised again; the next batch that applies clears the record.
        """
        try:
            self._apply(received)
        except Exception as error:
            self._record(received, error)
            raise
        if self.failures is not None and self.may_be_failing:
            self.failures.clear(self.name, self.app.name)
            self.may_be_failing = False

    def _record(self, received: Sequence[Received], error: Exception) -> None:
        if self.failures is None:
            return
        self.may_be_failing = True
        first = min((delivery for _, delivery in received), key=lambda d: d.position)
        self.failures.record(
            Failure(
                projection=self.name,
                application=self.app.name,
                position=first.position - 1,
                event_position=first.position,
                event_topic=first.event.topic if first.event is not None else None,
                error=f"{type(error).__name__}: {error}",
            )
        )

    def _apply(self, received: Sequence[Received]) -> None:
        known = self.subscription.positions([self.app.name, *self.log.logs])
        reached = {log: max(known[log], known[self.app.name]) for log in self.log.logs}
        moved: dict[str, int] = {}
        events = []
        for partition, delivery in received:
            log = self.log.logs[partition]
            done = moved.get(log, reached[log])
            if delivery.through <= done:
                continue
            stored = delivery.event
            if stored is not None and delivery.position > done and stored.topic in self.topics:
                events.append(self.app.mapper.to_domain_event(stored))
            moved[log] = delivery.through
        if not moved:
            return
        trackings = [Tracking(log, position) for log, position in moved.items()]
        with self.subscription.session(*trackings, settle=self.log) as session:
            for event in events:
                self.subscription.apply(event, session)
        self.applied += len(events)
