"""Per-client request limits: a client is its user when it sends a valid token, else its IP."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated

import redis
from fastapi import Depends, Request

from api.dependencies import Services, ServicesDep, oauth2
from api.errors import ApiError
from read_model.redis.rate_limit import Allowance, RateLimiter

log = logging.getLogger(__name__)


async def client_key(
    request: Request, services: ServicesDep, token: Annotated[str | None, Depends(oauth2)]
) -> str:
    """A bad or expired token is not refused here: the caller is then counted by IP."""
    if token:
        with suppress(ApiError):
            return f"user:{services.tokens.verify(token).user_id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


ClientKey = Annotated[str, Depends(client_key)]


@dataclass(frozen=True, slots=True)
class Quota:
    """A client's requests under one limiter, spent by the route that depends on it."""

    limiter: RateLimiter
    client: str

    def spend(self) -> None:
        """Count this request; 429 `rate_limited`, with Retry-After, once the client's
        requests in the current window exceed the limit. Called in the route's body, so the
        Redis round trip shares the route's one trip to the thread pool (a dependency doing
        it would take a trip of its own)."""
        allowance = count(self.limiter, self.client)
        if not allowance.allowed:
            wait = allowance.retry_after
            raise ApiError(
                429,
                "rate_limited",
                f"Too many requests; retry in {wait} s.",
                details={"retry_after": wait},
                headers={"Retry-After": str(wait)},
            )


def rate_limited(
    limiter_of: Callable[[Services], RateLimiter],
) -> Callable[[ServicesDep, ClientKey], Awaitable[Quota]]:
    """A dependency giving the route the caller's quota under the limiter: the route must
    `spend()` it first thing (the API document lists 429 for every route depending on it)."""

    async def quota(services: ServicesDep, client: ClientKey) -> Quota:
        return Quota(limiter_of(services), client)

    return quota


def count(limiter: RateLimiter, client: str) -> Allowance:
    """With Redis down the request goes through (logged): a limit is not worth an outage."""
    try:
        return limiter.hit(client)
    except redis.RedisError as error:
        log.warning("rate limiter %s unavailable, not limiting: %s", limiter.name, error)
        return Allowance(allowed=True, retry_after=0)
