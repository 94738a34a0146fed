"""In-process runner: follows the event logs (LISTEN/NOTIFY), feeds subscriptions, runs sagas.

Each subscription (a log's SQL views, its Redis views: `projections.subscriptions`) has its
own thread and reads each batch of the log once, so a failing one (Redis down) stalls only
itself; it is restarted with backoff from its last committed position, and its failure (the
event it stopped at, and why) is recorded for readiness, metrics and status.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Notification, Tracking
from eventsourcing.postgres import PostgresApplicationRecorder

from projections.base import Projection
from read_model.sql.failures import Failure, ProjectionFailures
from streams.saga_executor import SagaExecutor
from streams.supervision import IDLE_WAKEUP_SECONDS, Runtime, supervise, wake_on_notify

log = logging.getLogger(__name__)
BATCH_SIZE = 500
"""Events per transaction while following the head: small batches keep the lag low."""
CATCH_UP_BATCH_SIZE = 5000
"""Events per transaction while at least that far behind (a rebuild, a new view, a restart
after a bulk load): few, large set-based writes."""
GATHER_SECONDS = 0.01
"""After a batch, let the next events gather: one transaction per 10 ms under load."""
HEAD_GATHER = GATHER_SECONDS / 2
"""The head is read at most once per 5 ms: the feeds take it no faster."""


class LogWatch:
    """One LISTEN connection per event log, telling every feed of that log its new head."""

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.recorder = recorder
        self.head = 0
        self.changed = threading.Condition()

    def run(self, stopping: threading.Event) -> None:
        """Publish the head now and after each NOTIFY; returns when `stopping` is set."""
        with self.recorder.datastore.get_connection() as listener:
            wake_on_notify(
                listener, self.recorder.channel_name, self._publish_head, stopping, HEAD_GATHER
            )

    def _publish_head(self) -> None:
        with self.changed:
            self.head = self.recorder.max_notification_id() or 0
            self.changed.notify_all()

    def beyond(self, position: int, timeout: float) -> int:
        """The head, once it passed `position` (or when `timeout` ends, whatever it is)."""
        with self.changed:
            self.changed.wait_for(lambda: self.head > position, timeout)
            return self.head


@dataclass(frozen=True, slots=True)
class Batch:
    """Decoded events of one stretch of the log, which ends at `end`."""

    events: list[tuple[Notification, Any]]
    end: int


class ProjectionFeed:
    """Applies one application's events to one subscription (or any projection), batch by
    batch, from its position.

    With `failures`, a batch that fails is recorded there (and raised again), and the next
    batch that commits clears the record, one left by an earlier process included.
    """

    def __init__(
        self,
        app: Application[Any],
        projection: Projection,
        failures: ProjectionFailures | None = None,
    ) -> None:
        self.app = app
        self.recorder = postgres_recorder(app)
        self.projection = projection
        self.failures = failures
        self.may_be_failing = True
        self.applying: Notification | None = None
        """The notification being applied, while it is; None while committing."""
        self.applied = 0
        """Events applied so far (a rebuild reports its rate from it)."""

    def run(self, stopping: threading.Event, watch: LogWatch) -> None:
        """Catch up, then follow the head `watch` tells; returns when `stopping` is set."""
        position = self.projection.position(self.app.name)
        while not stopping.is_set():
            head = watch.beyond(position, IDLE_WAKEUP_SECONDS)
            if head > position:
                position = self.feed(position, head)
                stopping.wait(GATHER_SECONDS)

    def feed(self, position: int, head: int) -> int:
        """Apply the projection's events after `position` up to `head`; returns the new position."""
        try:
            batch = self._read(position, head)
            self._write(batch)
        except Exception as error:
            self._record_failure(position, error)
            raise
        self._clear_failure()
        return batch.end

    def replay(self, position: int, head: int) -> Iterator[int]:
        """`feed` up to `head`, yielding each new position; the next batch is read and
        decoded in a thread while this one is written, so reading the log and writing the
        views overlap. For rebuilds: a failure is raised, not recorded."""
        with ThreadPoolExecutor(1, thread_name_prefix="replay-read") as reader:
            upcoming = reader.submit(self._read, position, head)
            while position < head:
                batch = upcoming.result()
                if batch.end < head:
                    upcoming = reader.submit(self._read, batch.end, head)
                self._write(batch)
                position = batch.end
                yield position

    def _read(self, position: int, head: int) -> Batch:
        """The batch after `position`, decoded; an event that fails to decode is `applying`."""
        size = CATCH_UP_BATCH_SIZE if head - position >= CATCH_UP_BATCH_SIZE else BATCH_SIZE
        notifications = self.recorder.select_notifications(
            start=position + 1, limit=size, stop=head, topics=self.projection.topics
        )
        end = notifications[-1].id if len(notifications) == size else head
        events = []
        for notification in notifications:
            try:
                events.append((notification, self.app.mapper.to_domain_event(notification)))
            except Exception:
                self.applying = notification
                raise
        return Batch(events, end)

    def _write(self, batch: Batch) -> None:
        with self.projection.session(Tracking(self.app.name, batch.end)) as session:
            for notification, event in batch.events:
                self.applying = notification
                self.projection.apply(event, session)
            self.applying = None
        self.applied += len(batch.events)

    def _record_failure(self, position: int, error: Exception) -> None:
        """Best effort: with the database down too, the log line is all there is."""
        if self.failures is None:
            return
        event = self.applying
        failure = Failure(
            projection=self.projection.name,
            application=self.app.name,
            position=position,
            event_position=event.id if event is not None else None,
            event_topic=event.topic if event is not None else None,
            error=f"{type(error).__name__}: {error}",
        )
        try:
            self.failures.record(failure)
        except Exception as unrecorded:
            log.warning("could not record the failure of %s: %s", failure.projection, unrecorded)
        self.may_be_failing = True

    def _clear_failure(self) -> None:
        if self.failures is not None and self.may_be_failing:
            self.failures.clear(self.projection.name, self.app.name)
            self.may_be_failing = False


EventLogs = Sequence[tuple[Application[Any], Sequence[Projection]]]
"""Each application whose log is followed, with the projections its events feed."""


def postgres_recorder(app: Application[Any]) -> PostgresApplicationRecorder:
    recorder = app.recorder
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise TypeError("The in-process runner follows a PostgreSQL event store")
    return recorder


class InProcessRunner(Runtime):
    """Supervises a watch per log and a thread per projection, each restarted with backoff
    (`streams.supervision`)."""

    def __init__(
        self,
        logs: EventLogs,
        sagas: SagaExecutor | None = None,
        failures: ProjectionFailures | None = None,
    ) -> None:
        self.watches = {app.name: LogWatch(postgres_recorder(app)) for app, _ in logs}
        self.feeds = [
            ProjectionFeed(app, p, failures) for app, projections in logs for p in projections
        ]
        self.sagas = sagas
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        tasks: list[tuple[str, Callable[[], None]]] = [
            (f"watch-{name}", partial(watch.run, self.stopping))
            for name, watch in self.watches.items()
        ]
        for feed in self.feeds:
            watch = self.watches[feed.app.name]
            name = f"feed-{feed.app.name}-{feed.projection.name}"
            tasks.append((name, partial(feed.run, self.stopping, watch)))
        for name, task in tasks:
            thread = threading.Thread(
                target=supervise, args=(name, task, self.stopping), name=name, daemon=True
            )
            thread.start()
            self.threads.append(thread)
        if self.sagas:
            self.sagas.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.sagas:
            self.sagas.stop()
        for thread in self.threads:
            thread.join(timeout=IDLE_WAKEUP_SECONDS * 3)
