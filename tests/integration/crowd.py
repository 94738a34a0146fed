"""Many HTTP clients at once: each has its own connection, and a barrier releases them together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from tests.http_driver import position_in

T = TypeVar("T")


@dataclass(frozen=True)
class Answer:
    """What a response said, kept after its client has closed."""

    status: int
    body: Any
    position: int | None
    """The position in the shop's log it names (None: no position, or another log's)."""

    @classmethod
    def of(cls, response: httpx.Response) -> Answer:
        in_shop = response.headers.get("X-Event-Position", "").startswith("shop.")
        position = position_in(response) if in_shop else None
        return cls(response.status_code, response.json(), position)


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
