"""Restarting a failed task: the waits double up to a cap and start over after a success."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from streams.supervision import (
    FIRST_BACKOFF_SECONDS,
    HEALTHY_RUN_SECONDS,
    MAX_BACKOFF_SECONDS,
    RestartBackoff,
    supervise,
    supervise_async,
)

pytestmark = pytest.mark.unit


class Clock:
    """Time that passes only when a test says so."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def a_task_failing(times: int, clock: Clock, runs_s: float = 0.0) -> Callable[[], None]:
    """A task that runs `runs_s` seconds, and fails its first `times` runs."""
    runs = []

    def task() -> None:
        runs.append(clock.now)
        clock.now += runs_s
        if len(runs) <= times:
            raise ConnectionError("down")

    return task


class TestRestartBackoff:
    def test_doubles_the_wait_after_each_failure(self) -> None:
        backoff = RestartBackoff()

        waits = [backoff.after_failure(ran_s=0) for _ in range(4)]

        assert waits == [FIRST_BACKOFF_SECONDS * 2**n for n in range(4)]

    def test_never_waits_longer_than_the_cap(self) -> None:
        backoff = RestartBackoff()

        waits = [backoff.after_failure(ran_s=0) for _ in range(20)]

        assert max(waits) == waits[-1] == MAX_BACKOFF_SECONDS

    def test_starts_over_after_a_run_that_lasted(self) -> None:
        backoff = RestartBackoff()
        for _ in range(5):
            backoff.after_failure(ran_s=0)

        wait = backoff.after_failure(ran_s=HEALTHY_RUN_SECONDS)

        assert wait == FIRST_BACKOFF_SECONDS


class TestSupervise:
    def test_restarts_a_failing_task_until_it_returns(self) -> None:
        clock, waits = Clock(), []

        supervise(
            "task", a_task_failing(3, clock), threading.Event(), sleep=waits.append, clock=clock
        )

        assert waits == [0.1, 0.2, 0.4]

    def test_waits_the_first_backoff_again_after_a_long_run(self) -> None:
        clock, waits = Clock(), []
        task = a_task_failing(3, clock, runs_s=HEALTHY_RUN_SECONDS)

        supervise("task", task, threading.Event(), sleep=waits.append, clock=clock)

        assert waits == [0.1, 0.1, 0.1]

    def test_stops_restarting_once_stopping_is_set(self) -> None:
        clock, stopping, waits = Clock(), threading.Event(), []

        def wait(seconds: float) -> None:
            waits.append(seconds)
            stopping.set()

        supervise("task", a_task_failing(10, clock), stopping, sleep=wait, clock=clock)

        assert waits == [0.1]


class TestSuperviseAsync:
    def test_retries_a_coroutine_until_it_succeeds(self) -> None:
        clock, waits = Clock(), []
        task = a_task_failing(2, clock)

        async def attempt() -> None:
            task()

        async def wait(seconds: float) -> None:
            waits.append(seconds)

        asyncio.run(supervise_async("batch", attempt, sleep=wait, clock=clock))

        assert waits == [0.1, 0.2]

    def test_stops_retrying_once_stopping_is_set(self) -> None:
        clock, waits = Clock(), []
        task = a_task_failing(10, clock)

        async def supervised() -> None:
            stopping = asyncio.Event()

            async def attempt() -> None:
                task()

            async def wait(seconds: float) -> None:
                waits.append(seconds)
                stopping.set()

            await supervise_async("relay", attempt, stopping, sleep=wait, clock=clock)

        asyncio.run(supervised())

        assert waits == [0.1]
