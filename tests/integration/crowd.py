"""Many HTTP clients at once: each has its own connection, and a barrier releases them together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """What a response said, kept after its client has closed."""

    status: int
    body: Any
    position: int | None

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        position = response.headers.get("X-Event-Position")
        return cls(response.status_code, response.json(), int(position) if position else None)


def all_at_once(server: str, count: int, work: Callable[[httpx.Client, int], T]) -> list[T]:
    """Run `work(client, n)` for n in 0..count-1, every call starting at the same moment."""
    barrier = threading.Barrier(count)

    def one(n: int) -> T:
        with httpx.Client(base_url=server, timeout=60) as http:
            http.get("/api/health")
            barrier.wait(timeout=60)
            return work(http, n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(one, range(count)))
