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
from fastapi import Header, Request, Response

from api import position_tokens
from api.dependencies import Services, services_of
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


def min_positions(services: Services, x_min_position: str | None) -> dict[str, int]:
    """The position the caller asks of each log (none without the header); malformed: 400."""
    if x_min_position is None:
        return {}
    try:
        return position_tokens.parse(x_min_position, services.logs())
    except ValueError as error:
        raise ApiError(400, "validation_error", f"X-Min-Position: {error}.") from None


def read_after(
    *projections: str, application: str = Shop.name
) -> Callable[[Request, str | None], Awaitable[int | None]]:
    """A dependency that waits until these projections of `application`'s log reached the
    position the caller asked of that log; other logs' tokens are only checked. It answers
    that position (None if none was asked), which a cached read compares with its cache's.

    Async, so that a waiting request takes no worker thread at all; it reads the header and
    the services itself, as FastAPI's every sub-dependency costs each request its solving."""

    async def wait(request: Request, x_min_position: MinPositionHeader = None) -> int | None:
        services = services_of(request)
        wanted = min_positions(services, x_min_position)
        target = wanted.get(application)
        if target is None or services.waiter.has_reached(projections, application, target):
            await refuse_unknown(services, wanted, but=application)
            return target
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
        return target

    return wait


async def refuse_unknown(services: Services, wanted: dict[str, int], but: str = "") -> None:
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
