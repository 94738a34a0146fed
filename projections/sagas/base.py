"""What a saga is, and the projection that turns its events into durable jobs.

A saga does not act while the runner applies events: its projection only records a job,
keyed so that replaying an event records nothing new, in the same transaction as the
projection's position. An executor (`streams.saga_executor`) then performs each job,
retrying with backoff and parking it for an operator when it gives up. Effects that leave
our system carry the job's key (Idempotency-Key, Message-ID) so that the one window no
database can close, a crash after the effect and before its job is marked done, is
deduplicated by the receiving side.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from psycopg import Cursor
from psycopg_pool import ConnectionPool

from projections.base import SqlProjection
from read_model.sql import saga_jobs
from read_model.sql.saga_jobs import Job


class RetryLater(Exception):
    """A transient failure: the job is tried again after a backoff."""


class GiveUp(Exception):
    """A failure that retrying cannot fix: the job is parked at once."""


@dataclass(frozen=True, slots=True)
class Backoff:
    """Waits between a job's attempts: doubling from `first_s`, never longer than `cap_s`.

    A saga may set its own `max_backoff_s` (an attribute, optional): its jobs then wait no
    longer than that, so work that a user waits for resumes soon after its dependency returns.
    """

    first_s: float = 1.0
    cap_s: float = 300.0

    def after(self, failures: int, saga: object = None) -> float:
        """The wait before the next attempt of a job of `saga` that has failed `failures` times."""
        cap = min(self.cap_s, getattr(saga, "max_backoff_s", self.cap_s))
        return float(min(self.first_s * 2 ** min(failures - 1, 64), cap))

    def attempts_spanning(self, span_s: float) -> int:
        """The fewest attempts whose waits add up to at least `span_s`: a `max_attempts`."""
        attempts, waited = 1, 0.0
        while waited < span_s:
            waited += self.after(attempts)
            attempts += 1
        return attempts


class Saga(Protocol):
    name: str
    topics: tuple[str, ...]
    max_attempts: int

    def jobs(self, event: Any) -> Iterable[Job]:
        """The work an event asks for."""
        ...

    def perform(self, payload: dict[str, Any]) -> str:
        """Do one job; returns a short outcome. Any exception but GiveUp means retry later."""
        ...

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """Record the definitive failure (an event, a row) when the job is parked."""
        ...


class SagaProjection(SqlProjection):
    """Feeds a saga's jobs from its events, exactly once per job key."""

    def __init__(self, pool: ConnectionPool, saga: Saga) -> None:
        super().__init__(pool)
        self.saga = saga
        self.name = f"saga_{saga.name}"
        self.topics = saga.topics

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """A batch's jobs recorded with one statement; the first job of a key wins."""
        jobs: dict[str, Job] = {}
        for event in events:
            for job in self.saga.jobs(event):
                jobs.setdefault(job.key, job)
        if jobs:
            saga_jobs.enqueue(
                cur,
                self.saga.name,
                list(jobs.values()),
            )
