"""The one base of our applications: loading by kind, saving with the log position it
reached, and deciding again after a version conflict."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import EnvType

from write_model.errors import ConcurrentUpdateError, NotFoundError
from write_model.loading import Loader
from write_model.turns import Turns

T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """What a command changed, and the position in `log` at which read models will show it."""

    aggregate: T
    position: int
    log: str
    """The name of the application whose event log `position` counts in."""


class BazaarApplication(Application[UUID]):
    """An application whose commands answer with the position of what they wrote.

    Its loads go through a `Loader` (AGGREGATE_CACHE_MAXSIZE sizes its cache), so the
    library's repository only replays: from a snapshot, or at a version."""

    def __init__(self, env: EnvType | None = None) -> None:
        super().__init__(env)
        self._loader = Loader(
            self.recorder,
            self.mapper,
            self.repository,
            cache_size=int(self.env.get(self.AGGREGATE_CACHE_MAXSIZE) or 0),
        )
        self._snapshotted = set(self.snapshotting_intervals or ())
        self._turns = Turns()
        self.on_version_conflict: Callable[[bool], None] = lambda gave_up: None
        """Told of each version conflict (`gave_up` on the last): the composition root counts
        them for operators."""

    def construct_repository(self) -> Repository[UUID]:
        return Repository(event_store=self.events, snapshot_store=self.snapshots)

    def position(self) -> int:
        """The head of this application's log: read models there show every change."""
        return self.recorder.max_notification_id() or 0

    def _get(
        self,
        kind: type[A],
        aggregate_id: UUID,
        missing: type[NotFoundError],
        subject: str | None = None,
    ) -> A:
        """The aggregate of that kind, or `missing` saying "`subject` ... does not exist"."""
        found = self._find(kind, aggregate_id)
        if found is None:
            raise missing(f"{subject or kind.__name__} {aggregate_id} does not exist.")
        return found

    def _find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        found: A | None = self._find_all({aggregate_id: kind})[aggregate_id]
        return found

    def _find_all(self, wanted: Mapping[UUID, type[Aggregate]]) -> dict[UUID, Any]:
        """Each aggregate by id, None unless it is of the kind asked for; all that are
        cached come in one round trip, with those that are not unless of a snapshotted kind."""
        snapshotted = {i for i, kind in wanted.items() if kind in self._snapshotted}
        found = self._loader.load(wanted, snapshotted=snapshotted)
        return {i: a if isinstance(a, wanted[i]) else None for i, a in found.items()}

    def _save(self, aggregate: A, *others: Aggregate | None) -> Outcome[A]:
        """Save `aggregate` and `others` in one transaction; the outcome names `aggregate`.

        The library's `save` takes events too, and tells them from aggregates with two
        runtime Protocol checks per object (some 7 µs each, 8 for an order of 3 lines);
        ours are all aggregates."""
        saved = [each for each in (aggregate, *others) if each is not None]
        saving = ProcessingEvent[UUID]()
        for each in saved:
            saving.events.extend(each.collect_events())
            saving.aggregates[each.id] = each
        recordings = self._record(saving)
        self._loader.saved(saved)
        self._take_snapshots(saving)
        if not recordings:
            return self._unchanged(aggregate)
        return Outcome(aggregate, recordings[-1].notification.id, self.name)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot each aggregate whose saved events reached a multiple of its interval,
        as it is in memory: the library reads it back from the store and replays it (up to
        200 events for a stock item) to reach the state it already has here. Taken after
        the commit, as the library does; the snapshot is at the aggregate's version, which
        may be past the multiple when one save brought it several events."""
        intervals = self.snapshotting_intervals
        if self.snapshots is None or not intervals:
            return
        aggregates = processing_event.aggregates
        due = {
            event.originator_id
            for event in processing_event.events
            if (interval := intervals.get(type(aggregates[event.originator_id])))
            and event.originator_version % interval == 0
        }
        if due:
            self.snapshots.put([snapshot_of(aggregates[i]) for i in due])

    def _unchanged(self, aggregate: T) -> Outcome[T]:
        """Nothing was written: the head is a position read models show `aggregate` at."""
        return Outcome(aggregate, self.position(), self.name)

    def _retried(
        self, attempt: Callable[[], Outcome[T]], contended: Collection[UUID] = ()
    ) -> Outcome[T]:
        """Decide again after a version conflict (someone saved the same aggregate first):
        each attempt reads what the winner saved, so a repeat finds its first outcome.

        Each attempt waits for its turn on the `contended` aggregates (see `Turns`)."""
        for attempt_number in range(1, MAX_ATTEMPTS + 1):
            try:
                with self._turns.of(contended):
                    return attempt()
            except IntegrityError:
                self.on_version_conflict(attempt_number == MAX_ATTEMPTS)
        raise ConcurrentUpdateError("Others changed the same records meanwhile; please retry.")


def snapshot_of(aggregate: Any) -> Any:
    """The library's snapshot of `aggregate` (its own kind's `Snapshot` class)."""
    return type(aggregate).Snapshot.take(aggregate)
