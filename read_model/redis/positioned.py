"""A Redis read model that stores its own position next to the data it describes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis
from eventsourcing.persistence import Tracking
from redis.client import Pipeline


class PositionedModel:
    """Keys under one prefix, written in MULTI/EXEC batches that also set the position.

    Keeping the position in Redis means a flushed or restarted Redis says so (no position),
    and a projection feeding it resumes exactly where its data ends.
    """

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    @contextmanager
    def session(self, tracking: Tracking) -> Iterator[Pipeline]:
        """Writes queued on the pipeline apply atomically, together with the new position."""
        with self.client.pipeline(transaction=True) as pipe:
            with self.writes(pipe, tracking):
                yield pipe
            pipe.execute()

    @contextmanager
    def writes(self, pipe: Pipeline, tracking: Tracking) -> Iterator[Pipeline]:
        """The same on a caller's MULTI (shared with other models): the position is queued
        after the block's writes, and the caller executes."""
        yield pipe
        pipe.set(f"{self.prefix}:position:{tracking.application_name}", tracking.notification_id)

    def position(self, application: str) -> int | None:
        """None when Redis holds no position: empty, cleared or rebuilding, so not to be trusted."""
        value = self.client.get(f"{self.prefix}:position:{application}")
        return int(value) if value is not None else None
