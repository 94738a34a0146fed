"""What every runtime needs: waking on a Postgres NOTIFY, and restarting a failed task.

A restarted task resumes from its last committed position, so supervision never skips a
failure (a failure stops loudly, STYLE rule 13): it logs it and decides when to try again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Self

from psycopg import Connection
from psycopg.sql import SQL, Identifier

log = logging.getLogger(__name__)
IDLE_WAKEUP_SECONDS = 1.0
"""How long a listener waits for a NOTIFY before it looks anyway (one may have been missed
while it reconnected)."""
FIRST_BACKOFF_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 5.0
HEALTHY_RUN_SECONDS = 30.0
"""A task that ran this long before it failed had recovered: its backoff starts over."""
Clock = Callable[[], float]


class Runtime:
    """A runtime of threads that runs while a `with` block does: started on entering it, and
    stopped on leaving it, however it is left."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def listen(connection: Connection[Any], channel: str) -> None:
    """Subscribe `connection` to `channel`'s NOTIFYs, committed so that they start now."""
    connection.execute(SQL("LISTEN {0}").format(Identifier(channel)))
    connection.commit()


def await_notify(connection: Connection[Any], timeout: float = IDLE_WAKEUP_SECONDS) -> None:
    """Return after the next NOTIFY to `connection`, or after `timeout` without one."""
    for _ in connection.notifies(timeout=timeout, stop_after=1):
        pass


def wake_on_notify(
    connection: Connection[Any],
    channel: str,
    wake: Callable[[], None],
    stopping: threading.Event,
    gather: float = 0.0,
) -> None:
    """Call `wake` now and after each NOTIFY on `channel` (or idle second) until `stopping`.

    NOTIFYs that came while `wake` ran, or within `gather` seconds after the one awaited,
    wake it once: under load every save notifies, and a wake is a query.
    """
    listen(connection, channel)
    while not stopping.is_set():
        wake()
        await_notify(connection)
        if gather:
            stopping.wait(gather)
        for _ in connection.notifies(timeout=0):
            pass


@dataclass
class RestartBackoff:
    """The waits before restarting a failing task: doubling from `first_s` up to `cap_s`, and
    from `first_s` again once a run succeeded (lasted `healthy_s` before it failed)."""

    first_s: float = FIRST_BACKOFF_SECONDS
    cap_s: float = MAX_BACKOFF_SECONDS
    healthy_s: float = HEALTHY_RUN_SECONDS
    next_s: float = field(init=False)

    def __post_init__(self) -> None:
        self.next_s = self.first_s

    def after_failure(self, ran_s: float) -> float:
        """The wait before restarting a task that failed after running for `ran_s` seconds."""
        if ran_s >= self.healthy_s:
            self.next_s = self.first_s
        delay, self.next_s = self.next_s, min(self.next_s * 2, self.cap_s)
        return delay


def supervise(
    name: str,
    task: Callable[[], None],
    stopping: threading.Event,
    *,
    sleep: Callable[[float], object] | None = None,
    clock: Clock = time.monotonic,
) -> None:
    """Run `task` until it returns or `stopping` is set, restarting it after each failure
    (logged with its traceback) once its backoff has passed; `sleep` waits it out (by
    default `stopping.wait`, which a stop cuts short)."""
    backoff, wait = RestartBackoff(), sleep or stopping.wait
    while not stopping.is_set():
        started = clock()
        try:
            task()
        except Exception:
            wait(_failed(name, backoff, clock() - started))
        else:
            return


async def supervise_async(
    name: str,
    task: Callable[[], Awaitable[object]],
    stopping: asyncio.Event | None = None,
    *,
    sleep: Callable[[float], Awaitable[object]] | None = None,
    clock: Clock = time.monotonic,
) -> None:
    """`supervise` for a coroutine: await `task` until it returns (or `stopping` is set).

    Without `stopping` it is retried for as long as it takes; cancelling ends that."""
    backoff = RestartBackoff()
    wait = sleep or (asyncio.sleep if stopping is None else _until(stopping))
    while stopping is None or not stopping.is_set():
        started = clock()
        try:
            await task()
        except Exception:
            await wait(_failed(name, backoff, clock() - started))
        else:
            return


async def wait_or_stop(stopping: asyncio.Event, seconds: float) -> None:
    """Sleep for `seconds`, or less if `stopping` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)


def _until(stopping: asyncio.Event) -> Callable[[float], Awaitable[None]]:
    return lambda seconds: wait_or_stop(stopping, seconds)


def _failed(name: str, backoff: RestartBackoff, ran_s: float) -> float:
    delay = backoff.after_failure(ran_s)
    log.exception("%s failed; restarting in %.1fs", name, delay)
    return delay
