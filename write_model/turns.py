"""Turns: within one process, one decision at a time on an aggregate.

Commands decide optimistically and retry on a version conflict. When many threads of one
process change the same aggregate at once (the last units of a popular product), each
round of retries has one winner, and the bounded retries run out before the queue does.
Threads that would conflict wait for their turn instead, so conflicts come only from
other processes, and a retry finds the winner's events already saved.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from threading import Lock
from uuid import UUID

STRIPES = 64
"""Locks shared by hashing: two aggregates may share one, which only costs a short wait."""


class Turns:
    """Striped locks taken in a fixed order, so two decisions never wait on each other."""

    def __init__(self) -> None:
        self._locks = [Lock() for _ in range(STRIPES)]

    @contextmanager
    def of(self, ids: Iterable[UUID]) -> Iterator[None]:
        """Hold the turn of every aggregate in `ids` for as long as the block runs."""
        with ExitStack() as held:
            for stripe in sorted({i.int % STRIPES for i in ids}):
                held.enter_context(self._locks[stripe])
            yield
