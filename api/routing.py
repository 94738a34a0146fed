"""Routes whose blocking work takes one trip to the thread pool.

FastAPI runs a plain `def` route in its thread pool and then validates the answer there
too: two hand-offs per request, each costing about as much CPU as the rest of a small
request's way through the framework (0.87 ms per health check at 16 connections, against
0.45 ms with one hand-off). A `OneHopRoute` runs such a route as a coroutine that sends
the route's body to the loop's executor once (`asyncio.to_thread`, the context copied:
trace ids stay in logs; cheaper than anyio's hand-off by about a quarter) and validates
its answer on the event loop, where that costs microseconds. Routes
stay plain functions: blocking calls (Postgres through the event store, Redis) are where
they were, and a slow one still holds a pool thread, never the loop.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute


def routes(tag: str, **options: Any) -> APIRouter:
    """A module's routes, made as the app serves them: the app holds them itself (see
    `api.main.create_app`), so each is named and routed as it is here."""
    return APIRouter(
        tags=[tag], route_class=OneHopRoute, generate_unique_id_function=operation_id, **options
    )


def operation_id(route: APIRoute) -> str:
    """`place_order`, not `place_order_api_orders_post`: the route function's name."""
    return route.name


HAND_OFF_THREADS = "api-hand-off"
"""The name of the threads route bodies run in."""


def hand_offs_per_connection(app: FastAPI, connections: int) -> None:
    """Route bodies run in as many threads as the process has Postgres connections (per
    pool), from startup. asyncio's default (6 threads on 2 cores) let the extra ones wait
    in the pool's queue: the same CPU and orders/s, and a longer p99 (135-190 ms against
    90-145, orders at 16 connections, 2 workers of 3 connections each)."""

    async def start() -> None:
        threads = ThreadPoolExecutor(connections, thread_name_prefix=HAND_OFF_THREADS)
        asyncio.get_running_loop().set_default_executor(threads)

    app.router.add_event_handler("startup", start)


class OneHopRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, one_hop(endpoint), **kwargs)


def one_hop(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine doing what `endpoint` does, in the thread pool (a coroutine as it is).

    It shows FastAPI the endpoint's signature, its annotations evaluated where the
    endpoint was written, so parameters, dependencies and the answer's model are the same."""
    if inspect.iscoroutinefunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    async def in_the_pool(**arguments: Any) -> Any:
        return await asyncio.to_thread(endpoint, **arguments)

    in_the_pool.__signature__ = inspect.signature(endpoint, eval_str=True)  # type: ignore[attr-defined]
    return in_the_pool
