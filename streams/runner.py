"""In-process runner: follows an application's event log (LISTEN/NOTIFY) and feeds projections.

Each projection has its own thread and position, so a failing one (Redis down) stalls
only itself; it is restarted with backoff from its last committed position.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from projections.base import Projection

log = logging.getLogger(__name__)
BATCH_SIZE = 500
IDLE_WAKEUP_SECONDS = 1.0
GATHER_SECONDS = 0.01
"""After a batch, let the next events gather: one transaction per 10 ms under load."""
MAX_BACKOFF_SECONDS = 5.0


class ProjectionFeed:
    """Applies one application's events to one projection, batch by batch, from its position."""

    def __init__(self, app: Application[Any], projection: Projection) -> None:
        recorder = app.recorder
        if not isinstance(recorder, PostgresApplicationRecorder):
            raise TypeError("The in-process runner follows a PostgreSQL event store")
        self.app = app
        self.recorder = recorder
        self.projection = projection
        self.applied = 0
        """Events applied so far (a rebuild reports its rate from it)."""

    def run(self, stopping: threading.Event) -> None:
        """Catch up, then wait for NOTIFY; returns when `stopping` is set."""
        position = self.projection.position(self.app.name)
        with self.recorder.datastore.get_connection() as listener:
            listener.execute(SQL("LISTEN {0}").format(Identifier(self.recorder.channel_name)))
            listener.commit()
            while not stopping.is_set():
                head = self.recorder.max_notification_id() or 0
                if head > position:
                    position = self.feed(position, head)
                    stopping.wait(GATHER_SECONDS)
                else:
                    for _ in listener.notifies(timeout=IDLE_WAKEUP_SECONDS, stop_after=1):
                        pass

    def feed(self, position: int, head: int) -> int:
        """Apply the projection's events after `position` up to `head`; returns the new position."""
        notifications = self.recorder.select_notifications(
            start=position + 1, limit=BATCH_SIZE, stop=head, topics=self.projection.topics
        )
        end = notifications[-1].id if len(notifications) == BATCH_SIZE else head
        events = [self.app.mapper.to_domain_event(n) for n in notifications]
        with self.projection.session(Tracking(self.app.name, end)) as session:
            for event in events:
                self.projection.apply(event, session)
        self.applied += len(events)
        return end


class InProcessRunner:
    """Supervises one feed thread per projection: a feed that fails is restarted with backoff."""

    def __init__(self, app: Application[Any], projections: Sequence[Projection]) -> None:
        self.feeds = [ProjectionFeed(app, p) for p in projections]
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for feed in self.feeds:
            name = f"feed-{feed.projection.name}"
            thread = threading.Thread(target=self._supervise, args=(feed,), name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=IDLE_WAKEUP_SECONDS * 3)

    def _supervise(self, feed: ProjectionFeed) -> None:
        backoff = 0.1
        while not self.stopping.is_set():
            try:
                feed.run(self.stopping)
            except Exception:
                log.exception(
                    "projection %s failed; restarting in %.1fs", feed.projection.name, backoff
                )
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            else:
                return
