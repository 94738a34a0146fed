"""Hot queries' JSON in Redis (product list pages, order details), kept fresh by a projection.

Keys (prefix `cache`): `cache:position:{application}`, the last event the projection
applied; `cache:products:changed`, the position of the last batch with a product event
(the pages' generation: log positions never repeat, so neither do generations);
`cache:products:{changed}:{query}`, one list page; `cache:order:{id}`, a hash of `floor`
(the newest order version the projection has seen) and `version` + `json` (the view a
reader stored). TTLs only bound memory.

Why stale data cannot stick. The projection only ever invalidates; readers fill the cache
from SQL, which may lag (or lead) this projection, so a reader stores what it read only
when it cannot be older than what the projection has seen:

- a page goes under the generation the reader saw *before* its SQL query, and only if the
  catalogue projection had reached it (its position is read before the page): the page
  then holds every product change the generation accounts for. A change applied meanwhile
  moves the generation on, and the stored page is never read. With no generation recorded
  (flushed), the projection's position stands in for it.
- an order view is stored (atomically, by a script) only if its version is at least the
  floor; a floor raised after the reader's SQL read refuses the store or hides the entry.
  Without a floor (new, or expired) it is stored only if the orders projection had reached
  this projection's position, so it holds every event this projection has seen.

A hit is served only once this projection reached the caller's X-Min-Position: every
change up to there is then in the generation or the floor. The position commits in the
same MULTI/EXEC as the invalidations, so the two never disagree. The cache has a
projection of its own, so Redis being down stalls only it, never the SQL read models, and
readers answer from SQL meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass
from typing import Generic, TypeVar
from uuid import UUID

import redis
from eventsourcing.persistence import Tracking
from pydantic import TypeAdapter, ValidationError
from redis.client import Pipeline

from read_model.paging import Page, PageRequest
from read_model.redis.positioned import PositionedModel, queue
from read_model.sql.catalogue import ProductFilter, ProductView
from read_model.sql.orders import OrderView

VIEW = "query_cache"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""

log = logging.getLogger(__name__)
T = TypeVar("T")
Load = Callable[[], tuple[int, T]]
"""Reads SQL: the SQL projection's position (read first), then the query's result."""
PAGE_TTL_SECONDS = 600
ORDER_TTL_SECONDS = 3600
PAUSE_SECONDS = 5.0
"""After Redis fails, queries skip it this long: one slow request per outage, not every one."""

_READ_PAGE = """
local position = redis.call('GET', KEYS[2]) or '-1'
local changed = redis.call('GET', KEYS[1]) or position
local page = redis.call('GET', ARGV[1] .. ':' .. changed .. ':' .. ARGV[2]) or ''
return {changed, position, page}
"""

_CHANGED = """
if tonumber(redis.call('GET', KEYS[1]) or '-1') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
"""

_READ_ORDER = """
local entry = redis.call('HMGET', KEYS[1], 'floor', 'version', 'json')
local position = redis.call('GET', KEYS[2]) or '-1'
return {entry[1] or '-1', entry[2] or '0', entry[3] or '', position}
"""

_STORE_ORDER = """
local floor = redis.call('HGET', KEYS[1], 'floor')
if floor then
  if tonumber(ARGV[1]) < tonumber(floor) then return 0 end
elseif ARGV[4] ~= '1' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'version') or '0') >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""

_RAISE_FLOOR = """
if tonumber(redis.call('HGET', KEYS[1], 'floor') or '0') < tonumber(ARGV[1]) then
  redis.call('HSET', KEYS[1], 'floor', ARGV[1])
end
if tonumber(redis.call('HGET', KEYS[1], 'version') or '0') < tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'version', 'json')
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
"""


@dataclass(frozen=True, slots=True)
class Cached(Generic[T]):
    """A query's answer, and whether it came from Redis."""

    value: T
    hit: bool


@dataclass(frozen=True, slots=True)
class CacheBatch:
    """One projection batch: invalidations queue on `pipe`, which commits with `position`."""

    pipe: Pipeline
    position: int


@dataclass(frozen=True, slots=True)
class _PageSeen:
    """A page lookup: the generation (last change's position), the position (-1: none), the page."""

    changed: int
    position: int
    page: bytes

    @classmethod
    def of(cls, reply: list[bytes]) -> _PageSeen:
        return cls(int(reply[0]), int(reply[1]), reply[2])


@dataclass(frozen=True, slots=True)
class _OrderSeen:
    """An order lookup: the floor (-1: none), the cached version and view, the position."""

    floor: int
    version: int
    view: bytes
    position: int

    @classmethod
    def of(cls, reply: list[bytes]) -> _OrderSeen:
        return cls(int(reply[0]), int(reply[1]), reply[2], int(reply[3]))

    @property
    def current(self) -> bytes:
        """The cached view, unless the projection has seen a newer version of the order."""
        return self.view if self.version >= self.floor else b""


class QueryCache(PositionedModel):
    """Invalidations from the projection and read-through queries for the API.

    Projection calls raise when Redis is down (the runner retries them); query calls never
    do: they log and answer from SQL, and skip Redis for `PAUSE_SECONDS` (by `clock`).
    """

    def __init__(
        self,
        client: redis.Redis,
        application: str,
        prefix: str = "cache",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(client, prefix)
        self.application = application
        self._clock = clock
        self._paused_until = 0.0
        self._read_page = client.register_script(_READ_PAGE)
        self._changed = client.register_script(_CHANGED)
        self._read_order = client.register_script(_READ_ORDER)
        self._store_order = client.register_script(_STORE_ORDER)
        self._raise_floor = client.register_script(_RAISE_FLOOR)
        self._pages = TypeAdapter(Page[ProductView])
        self._orders = TypeAdapter(OrderView)

    @contextmanager
    def writes(  # type: ignore[override]
        self, pipe: Pipeline, trackings: Sequence[Tracking]
    ) -> Iterator[CacheBatch]:
        """Invalidations queued in the batch apply with the new positions. From Kafka
        partitions the batch's generation is the furthest of them: pages cached before
        every partition reached it count as stale."""
        position = max(tracking.notification_id for tracking in trackings)
        with super().writes(pipe, trackings):
            yield CacheBatch(pipe, position)
            pipe.set(self._changed_key, position, nx=True)

    def products_changed(self, batch: CacheBatch) -> None:
        """Every cached product page is stale: readers move on to this batch's generation."""
        queue(batch.pipe, self._changed, [self._changed_key], [batch.position])

    def order_changed(self, batch: CacheBatch, order_id: UUID, version: int) -> None:
        """Views of the order older than `version` are stale; redelivery changes nothing."""
        args = [version, ORDER_TTL_SECONDS]
        queue(batch.pipe, self._raise_floor, [self._order_key(order_id)], args)

    def product_page(
        self,
        where: ProductFilter,
        page: PageRequest,
        target: int | None,
        load: Load[Page[ProductView]],
    ) -> Cached[Page[ProductView]]:
        """A page of the product list: cached if current for `target`, else `load`ed and kept."""
        query = hashlib.sha1(repr((astuple(where), astuple(page))).encode()).hexdigest()
        keys = [self._changed_key, self.position_key(self.application)]
        args = [f"{self.prefix}:products", query]
        seen = self._quietly(lambda: _PageSeen.of(self._read_page(keys=keys, args=args)))
        if seen is not None and _reached(seen.position, target):
            cached = self._decoded(self._pages, seen.page)
            if cached is not None:
                return Cached(cached, hit=True)
        position, fresh = load()
        if seen is not None and seen.position >= 0 and position >= seen.changed:
            key, value = f"{args[0]}:{seen.changed}:{query}", self._pages.dump_json(fresh)
            self._quietly(lambda: self.client.set(key, value, ex=PAGE_TTL_SECONDS))
        return Cached(fresh, hit=False)

    def order(
        self, order_id: UUID, target: int | None, load: Load[OrderView | None]
    ) -> Cached[OrderView | None]:
        """One order's view: cached if current for `target`, else `load`ed and kept."""
        keys = [self._order_key(order_id), self.position_key(self.application)]
        seen = self._quietly(lambda: _OrderSeen.of(self._read_order(keys=keys)))
        if seen is not None and _reached(seen.position, target):
            cached = self._decoded(self._orders, seen.current)
            if cached is not None:
                return Cached(cached, hit=True)
        position, fresh = load()
        if seen is not None and seen.position >= 0 and fresh is not None:
            trusted = int(position >= seen.position)
            view = self._orders.dump_json(fresh)
            args: list[bytes | int] = [fresh.version, view, ORDER_TTL_SECONDS, trusted]
            self._quietly(lambda: self._store_order(keys=keys[:1], args=args))
        return Cached(fresh, hit=False)

    def _decoded(self, adapter: TypeAdapter[T], raw: bytes) -> T | None:
        return self._quietly(lambda: adapter.validate_json(raw)) if raw else None

    def _quietly(self, call: Callable[[], T]) -> T | None:
        """The call's result, or None (logged) when Redis fails or an entry no longer parses."""
        if self._clock() < self._paused_until:
            return None
        try:
            return call()
        except redis.RedisError as error:
            self._paused_until = self._clock() + PAUSE_SECONDS
            log.warning("query cache unavailable, reading SQL for %ss: %s", PAUSE_SECONDS, error)
        except ValidationError as error:
            log.warning("query cache entry unreadable, reading SQL: %s", error)
        return None

    @property
    def _changed_key(self) -> str:
        return f"{self.prefix}:products:changed"

    def _order_key(self, order_id: UUID) -> str:
        return f"{self.prefix}:order:{order_id}"


def _reached(position: int, target: int | None) -> bool:
    """The projection has a position (-1: none) and it is at least the caller's target."""
    return position >= 0 and (target is None or position >= target)
