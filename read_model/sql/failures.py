"""Projections that cannot apply an event, kept where every process can see them.

The runner retries a failing projection with backoff, from its last position; without a
record, that is a silent loop and every read waiting on the projection answers 503. The
runner is another process than the API, so the failure is a row: set on each failed
batch (with the event it failed at, when known), deleted by the next batch that commits.
Readiness, metrics and `bazaar projections status` read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg.rows import class_row
from psycopg_pool import ConnectionPool

from read_model.sql.safe_text import safe_text

MAX_ERROR_LENGTH = 2000


@dataclass(frozen=True, slots=True, kw_only=True)
class Failure:
    """What failed: `position` is the last one applied; the batch after it did not commit."""

    projection: str
    application: str
    position: int
    event_position: int | None
    """The notification id of the event being applied, or None if the commit itself failed."""
    event_topic: str | None
    error: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordedFailure(Failure):
    attempts: int
    first_failed_at: datetime
    failed_at: datetime

    def describe(self) -> str:
        """One line for people: which projection, where, why, since when."""
        at = (
            f"at event {self.event_position} ({self.event_topic})"
            if self.event_position is not None
            else "committing the batch"
        )
        return (
            f"{self.projection} ({self.application}) stopped after position {self.position}, "
            f"{at}: {self.error} [{self.attempts} attempts since {self.first_failed_at:%F %T}Z]"
        )


class ProjectionFailures:
    """The failure rows of every projection, in the read-model database."""

    def __init__(self, pool: ConnectionPool) -> None:
        self.pool = pool

    def record(self, failure: Failure) -> None:
        """Set (or update) the projection's failure; a repeat counts one more attempt."""
        with self.pool.connection() as conn:
            conn.execute(
                "INSERT INTO projection_failures (projection, application, position,"
                " event_position, event_topic, error) VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (projection, application) DO UPDATE SET"
                " position = EXCLUDED.position, event_position = EXCLUDED.event_position,"
                " event_topic = EXCLUDED.event_topic, error = EXCLUDED.error,"
                " attempts = projection_failures.attempts + 1, failed_at = now()",
                (
                    failure.projection,
                    failure.application,
                    failure.position,
                    failure.event_position,
                    failure.event_topic,
                    safe_text(failure.error[:MAX_ERROR_LENGTH]),
                ),
            )

    def clear(self, projection: str, application: str) -> None:
        """The projection applied a batch again: it is no longer failing."""
        with self.pool.connection() as conn:
            conn.execute(
                "DELETE FROM projection_failures WHERE projection = %s AND application = %s",
                (projection, application),
            )

    def current(self) -> list[RecordedFailure]:
        """Every projection failing now, by name."""
        with (
            self.pool.connection() as conn,
            conn.cursor(row_factory=class_row(RecordedFailure)) as cur,
        ):
            cur.execute(
                "SELECT projection, application, position, event_position, event_topic, error,"
                " attempts, first_failed_at, failed_at"
                " FROM projection_failures ORDER BY projection, application"
            )
            return cur.fetchall()
