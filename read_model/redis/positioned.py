"""A Redis read model that stores its own position next to the data it describes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar, cast

import redis
from eventsourcing.persistence import Tracking
from redis.client import Pipeline
from redis.commands.core import Script

log = logging.getLogger(__name__)
T = TypeVar("T")

_SETTLE = """
local low
for i = 2, #KEYS do
  local reached = redis.call('GET', KEYS[i])
  if not reached then return end
  reached = tonumber(reached)
  if not low or reached < low then low = reached end
end
local plain = redis.call('GET', KEYS[1])
if not plain or tonumber(plain) < low then redis.call('SET', KEYS[1], low) end
"""


def queue(pipe: Pipeline, script: Script, keys: Sequence[str], args: Sequence[Any]) -> None:
    """Queue `script` on `pipe` by its text (EVAL; Redis keeps it compiled): calling the
    script on a pipeline makes `execute` first ask Redis which scripts it has, a round trip
    per batch, and EVALSHA alone would fail inside the MULTI once Redis lost its scripts."""
    pipe.eval(cast(str, script.script), len(keys), *keys, *args)


class PositionedModel:
    """Keys under one prefix, written in MULTI/EXEC batches that also set the position.

    Keeping the position in Redis means a flushed or restarted Redis says so (no position),
    and a projection feeding it resumes exactly where its data ends.
    """

    kind: ClassVar[str] = "Redis view"
    """What the model is called in logs."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix
        self._settle = client.register_script(_SETTLE)

    @contextmanager
    def session(self, tracking: Tracking) -> Iterator[Any]:
        """Writes queued in the block (on what `writes` yields) apply atomically, together
        with the new position."""
        with self.client.pipeline(transaction=True) as pipe:
            with self.writes(pipe, [tracking]) as queued:
                yield queued
            pipe.execute()

    @contextmanager
    def writes(self, pipe: Pipeline, trackings: Sequence[Tracking]) -> Iterator[Pipeline]:
        """The same on a caller's MULTI (shared with other models), for one log or several
        (Kafka partitions): the positions are queued after the block's writes, and the
        caller executes."""
        yield pipe
        for tracking in trackings:
            pipe.set(self.position_key(tracking.application_name), tracking.notification_id)

    def settle(self, pipe: Pipeline, application: str, logs: Sequence[str]) -> None:
        """Queue raising the position in `application` to the lowest of those in `logs`
        (its Kafka partitions), once each has one: atomic, as scripts run alone."""
        keys = [self.position_key(log) for log in (application, *logs)]
        queue(pipe, self._settle, keys, [])

    def position(self, application: str) -> int | None:
        """None when Redis holds no position: empty, cleared or rebuilding, so not to be trusted."""
        return as_position(self.client.get(self.position_key(application)))

    def fresh(
        self,
        application: str,
        target: int | None,
        read: Callable[[str], tuple[int | None, T | None]],
    ) -> T | None:
        """`read`'s answer once this model applied `application`'s log up to `target` (or
        anything, without one); None when it is behind, has no position (flushed, rebuilding)
        or Redis fails: the caller then reads SQL. `read` is given the position's key and
        reads it in the same round trip as its answer."""
        try:
            reached, found = read(self.position_key(application))
        except redis.RedisError as error:
            log.warning("%s unavailable, reading SQL: %s", self.kind, error)
            return None
        if reached is None or (target is not None and reached < target):
            return None
        return found

    def position_key(self, application: str) -> str:
        return f"{self.prefix}:position:{application}"


def as_position(value: bytes | str | None) -> int | None:
    """A position as Redis answers it (a GET's reply), None when there is none."""
    return int(value) if value is not None else None
