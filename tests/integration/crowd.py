"""Many clients at once, released together by a barrier: over HTTP, each on its own
connection, or calls into the shop of two processes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from tests.builders import MIN_ORDER_TOTAL
from tests.http_driver import position_in
from write_model.errors import DomainError
from write_model.shop import Shop

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


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together; each one's result or the domain error
    it raised."""
    barrier = threading.Barrier(len(calls))

    def one(call: Callable[[], object]) -> object:
        barrier.wait(timeout=60)
        try:
            return call()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(one, calls))


@contextmanager
def two_shop_processes(env: dict[str, str]) -> Iterator[tuple[Shop, Shop]]:
    """Two processes' worth of the shop application: caches and turns of their own."""
    shops = [Shop(env=env, min_order_total=MIN_ORDER_TOTAL) for _ in range(2)]
    try:
        yield shops[0], shops[1]
    finally:
        for shop in shops:
            shop.close()
