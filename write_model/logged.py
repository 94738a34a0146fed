"""What every application of ours shares: loading by kind, saving with the log position it
reached, and deciding again after a version conflict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from write_model.errors import ConcurrentUpdateError

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command changed, and the position in `log` at which read models will show it."""

    aggregate: Any
    position: int
    log: str
    """The name of the application whose event log `position` counts in."""


class LoggedApplication(Application[UUID]):
    """An application whose commands answer with the position of what they wrote."""

    def position(self) -> int:
        """The head of this application's log: read models there show every change."""
        return self.recorder.max_notification_id() or 0

    def _find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def _save(self, *aggregates: Aggregate | None) -> Outcome:
        recordings = self.save(*aggregates)
        if not recordings:
            return self._unchanged(aggregates[0])
        return Outcome(aggregates[0], recordings[-1].notification.id, self.name)

    def _unchanged(self, aggregate: Any) -> Outcome:
        """Nothing was written: the head is a position read models show `aggregate` at."""
        return Outcome(aggregate, self.position(), self.name)

    def _retried(
        self,
        attempt: Callable[[], Outcome],
        on_conflict: Callable[[], Outcome | None] = lambda: None,
    ) -> Outcome:
        """Decide again after a version conflict (someone saved the same aggregate first)."""
        for _ in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                if (earlier := on_conflict()) is not None:
                    return earlier
        raise ConcurrentUpdateError("Others changed the same records meanwhile; please retry.")
