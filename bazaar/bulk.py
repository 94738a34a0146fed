"""Many commands, fast and once: which aggregates exist already, and a pool of writer threads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import Application

from write_model.ports import ReadsManyAggregates

T = TypeVar("T")
Progress = Callable[[int], None]


def missing(application: Application[UUID], ids: Iterable[UUID]) -> set[UUID]:
    """Which of these aggregates have no events, asked of the event store in bulk."""
    recorder = application.recorder
    if not isinstance(recorder, ReadsManyAggregates):
        raise TypeError("looking up aggregates in bulk needs the Postgres event store")
    wanted = set(ids)
    return wanted - recorder.select_existing(wanted)


def run_in_threads(
    send: Callable[[T], int], items: list[T], threads: int, progress: Progress
) -> int:
    """`send` each item from `threads` threads; returns the sum of what the calls return,
    and tells `progress` that sum as it grows.

    The first failure stops the run: items not yet started are dropped, and it is raised.
    """
    pool = ThreadPoolExecutor(threads, thread_name_prefix="bulk")
    sent = 0
    try:
        futures = [pool.submit(send, item) for item in items]
        for future in as_completed(futures):
            sent += future.result()
            progress(sent)
    finally:
        pool.shutdown(cancel_futures=True)
    return sent
