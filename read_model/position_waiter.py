"""Waiting for read models without a thread per request: one poll serves every waiter.

While any request waits, one asyncio task per process reads the tracking positions of
every projection of the logs waited on, in one query every few milliseconds, and wakes
the waiters to look. Nobody waiting, no polling. Positions only move forward, so any
reading that shows a target reached stays true: an old one may answer at once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence

import anyio
import psycopg
from psycopg_pool import ConnectionPool

from read_model import positions

POLL_SECONDS = 0.005


class PositionWaiter:
    """Awaits (projections, application) reaching a position; shared by a process's requests."""

    def __init__(self, pool: ConnectionPool, every: float = POLL_SECONDS) -> None:
        self.pool, self.every = pool, every
        self._reached: dict[tuple[str, str], int] = {}
        self._waiting: Counter[str] = Counter()
        self._round: asyncio.Event | None = None
        self._poller: asyncio.Task[None] | None = None
        self._failure: psycopg.Error | None = None

    def waiting(self) -> int:
        """How many requests wait now (for operators and tests: waiting costs no thread)."""
        return self._waiting.total()

    def has_reached(self, projections: Sequence[str], application: str, target: int) -> bool:
        """Whether the last reading shows every one of `projections` at `target` or beyond."""
        return all(self._reached.get((p, application), 0) >= target for p in projections)

    async def wait(
        self, projections: Sequence[str], application: str, target: int, timeout: float
    ) -> bool:
        """True once every projection reached `target`, False when `timeout` passes first.

        Holds no thread meanwhile; a database failure while polling is raised to the waiter.
        """
        if self.has_reached(projections, application, target):
            return True
        self._waiting[application] += 1
        try:
            with anyio.move_on_after(timeout):
                while True:
                    await self._next_reading()
                    if self.has_reached(projections, application, target):
                        return True
            return False
        finally:
            self._waiting -= Counter({application: 1})

    async def _next_reading(self) -> None:
        if not self._polling() or self._round is None:
            self._round = asyncio.Event()
            self._poller = asyncio.get_running_loop().create_task(self._poll())
        await self._round.wait()
        if self._failure is not None:
            raise self._failure

    def _polling(self) -> bool:
        """Whether a poller runs on this event loop (a test may have closed an earlier one)."""
        poller, loop = self._poller, asyncio.get_running_loop()
        return poller is not None and not poller.done() and poller.get_loop() is loop

    async def _poll(self) -> None:
        """Read, wake everyone, pause; until nobody waits (then a new waiter starts it again)."""
        try:
            while self._waiting:
                await self._read(list(self._waiting))
                done, self._round = self._round, asyncio.Event()
                if done is not None:
                    done.set()
                await anyio.sleep(self.every)
        finally:
            if self._poller is asyncio.current_task():
                self._poller = None

    async def _read(self, applications: list[str]) -> None:
        try:
            reading = await anyio.to_thread.run_sync(positions.reached_in, self.pool, applications)
        except psycopg.Error as error:
            self._failure = error
            return
        self._failure = None
        self._reached.update(reading)
