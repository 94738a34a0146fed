"""Read-your-writes: X-Event-Position on command answers, X-Min-Position waits on queries.

A query waits only for the logs that feed the read models it reads: a token of another
log needs no wait, but a position beyond what its log ever wrote can never be reached, so
it is refused at once (400 `position_unknown`) rather than waited for. Waiting holds no
thread: routes await the process's one `PositionWaiter`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Header, Response

from api import position_tokens
from api.dependencies import ServicesDep
from api.errors import ApiError
from api.metrics import READ_WAITS
from write_model.application import Outcome
from write_model.shop import Shop

R = TypeVar("R", bound=Response)
MinPositionHeader = Annotated[str | None, Header(max_length=1000, description=position_tokens.HELP)]


def answer_position(response: R, outcome: Outcome[Any], created: str | None = None) -> R:
    """`response`, carrying the token of the position at which reads will show `outcome`,
    and the `Location` of what it `created`, if it made something new (a 201)."""
    response.headers.update(position_tokens.event_position(outcome.log, outcome.position))
    if created is not None:
        response.headers["Location"] = created
    return response


async def min_positions(
    services: ServicesDep, x_min_position: MinPositionHeader = None
) -> dict[str, int]:
    """The position the caller asks of each log (none without the header); malformed: 400.

    Async (as is `shop_position`) so that a waiting request takes no worker thread at all.
    """
    if x_min_position is None:
        return {}
    try:
        return position_tokens.parse(x_min_position, services.logs())
    except ValueError as error:
        raise ApiError(400, "validation_error", f"X-Min-Position: {error}.") from None


MinPositions = Annotated[dict[str, int], Depends(min_positions)]


async def shop_position(wanted: MinPositions) -> int | None:
    """The shop log's position asked for, for caches that follow that log."""
    return wanted.get(Shop.name)


ShopPosition = Annotated[int | None, Depends(shop_position)]


def read_after(
    *projections: str, application: str = Shop.name
) -> Callable[[ServicesDep, MinPositions], Awaitable[None]]:
    """A dependency that waits until these projections of `application`'s log reached the
    position the caller asked of that log; other logs' tokens are only checked."""

    async def wait(services: ServicesDep, wanted: MinPositions) -> None:
        target = wanted.get(application)
        if target is None or services.waiter.has_reached(projections, application, target):
            await refuse_unknown(services, wanted, but=application)
            return
        await refuse_unknown(services, wanted)
        timeout, started = services.read_wait_timeout, time.perf_counter()
        reached = await services.waiter.wait(projections, application, target, timeout)
        READ_WAITS.labels("reached" if reached else "timed_out").observe(
            time.perf_counter() - started
        )
        if not reached:
            raise ApiError(
                503,
                "read_model_lagging",
                f"The read models have not reached {application}.{target} yet; retry shortly.",
                headers={"Retry-After": "1"},
            )

    return wait


async def refuse_unknown(services: ServicesDep, wanted: dict[str, int], but: str = "") -> None:
    """400 `position_unknown` for a position beyond the head of its log (`but` reached it)."""
    logs = services.logs()
    for log, target in wanted.items():
        if log == but or target == 0:
            continue
        head = await anyio.to_thread.run_sync(logs[log].recorder.max_notification_id)
        if target > (head or 0):
            raise ApiError(
                400,
                "position_unknown",
                f"The {log} log has never reached position {target} (it is at {head or 0}).",
                details={"log": log, "position": target, "head": head or 0},
            )
