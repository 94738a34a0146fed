"""Many commands, fast and once: which aggregates exist already, and a pool of writer threads."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

T = TypeVar("T")
LOOKUP_CHUNK = 10_000
Progress = Callable[[int, int, int], None]


def missing(application: Application[UUID], ids: Iterable[UUID]) -> set[UUID]:
    """Which of these aggregates have no events, asked of the event store a chunk at a time."""
    recorder = application.recorder
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise TypeError("looking up aggregates in bulk needs the Postgres event store")
    table = Identifier(recorder.datastore.schema, recorder.events_table_name)
    query = SQL("SELECT DISTINCT originator_id FROM {} WHERE originator_id = ANY(%s)").format(table)
    wanted, found = list(ids), set[UUID]()
    with recorder.datastore.transaction(commit=False) as cursor:
        for start in range(0, len(wanted), LOOKUP_CHUNK):
            cursor.execute(query, (wanted[start : start + LOOKUP_CHUNK],))
            found.update(row["originator_id"] for row in cursor.fetchall())
    return set(wanted) - found


def run_in_threads(
    send: Callable[[T], int], items: list[T], threads: int, progress: Progress
) -> int:
    """`send` each item from `threads` threads; returns the sum of what the calls return.

    The first failure stops the run: items not yet started are dropped, and it is raised.
    """
    pool = ThreadPoolExecutor(threads, thread_name_prefix="bulk")
    sent = 0
    try:
        futures = [pool.submit(send, item) for item in items]
        for done, future in enumerate(as_completed(futures), 1):
            sent += future.result()
            progress(done, len(futures), done)
    finally:
        pool.shutdown(cancel_futures=True)
    return sent
