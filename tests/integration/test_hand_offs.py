"""Route bodies run in as many threads as the API process has Postgres connections."""

from __future__ import annotations

import asyncio
import threading

import pytest

from api.main import create_app
from api.routing import HAND_OFF_THREADS
from bazaar.wiring import Container

pytestmark = pytest.mark.integration


async def hand_off_threads(container: Container, calls: int) -> tuple[set[str], int]:
    """The threads `calls` concurrent hand-offs ran in, in a started app; its connections."""
    services = container.api_services()
    app = create_app(services)
    received: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    sent: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    serving = asyncio.create_task(app(lifespan, received.get, sent.put))  # type: ignore[arg-type]
    await received.put({"type": "lifespan.startup"})
    assert (await sent.get())["type"] == "lifespan.startup.complete"
    names = await asyncio.gather(
        *(asyncio.to_thread(lambda: threading.current_thread().name) for _ in range(calls))
    )
    await received.put({"type": "lifespan.shutdown"})
    await serving
    return set(names), services.pool.max_size


def test_hand_offs_run_in_as_many_threads_as_there_are_connections(
    container: Container,
) -> None:
    threads, connections = asyncio.run(hand_off_threads(container, calls=12))

    assert all(name.startswith(HAND_OFF_THREADS) for name in threads), threads
    assert 1 <= len(threads) <= connections
