"""Fixed-window request counters in Redis: `rl:{name}:{caller}` counts one caller's requests.

A window opens at a caller's first request and lasts `window_seconds`; the counter's key
expires with it. `SET ... EX NX` (the window, only if none is open), INCR and TTL go in one
MULTI/EXEC, so a counter never outlives its window, however many API processes share it;
these commands are Redis 6.2's too (the embedded dev server), unlike `EXPIRE ... NX`.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis


@dataclass(frozen=True, slots=True)
class Allowance:
    allowed: bool
    retry_after: int
    """Seconds until the caller's window frees; 0 when allowed."""


class RateLimiter:
    """Allows each caller `limit` requests per window of `window_seconds`; may raise RedisError."""

    def __init__(
        self, client: redis.Redis, name: str, limit: int, window_seconds: int = 60
    ) -> None:
        self.client = client
        self.name = name
        self.limit = limit
        self.window_seconds = window_seconds

    def hit(self, caller: str) -> Allowance:
        """Count one request of `caller`; refused ones count too, so hammering does not pay."""
        key = f"rl:{self.name}:{caller}"
        pipe = self.client.pipeline(transaction=True)
        pipe.set(key, 0, ex=self.window_seconds, nx=True)
        pipe.incr(key)
        pipe.ttl(key)
        _, count, ttl = pipe.execute()
        if int(count) <= self.limit:
            return Allowance(allowed=True, retry_after=0)
        return Allowance(allowed=False, retry_after=max(int(ttl), 1))
