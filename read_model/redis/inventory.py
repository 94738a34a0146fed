"""Per-store inventory in Redis, kept by its own projection; the SQL listing is the fallback.

Keys (prefix `inv`, or another for a copy being rebuilt): `inv:{store}:qty` (product ->
available), `inv:{store}:ver` (product -> stock version), `inv:{store}:order` (the store's
listed products in listing order: members `{title, lower case}\0{product}` of score 0),
`inv:items` (stock item -> store and product), `inv:products` (product -> JSON
title/price/category, absent once delisted) with `inv:product_versions` and `inv:keys`
(product -> its title in lower case), `inv:stores_of:{product}` (the stores that stock it),
and `inv:position:{application}` (the last event applied). Each batch is one MULTI/EXEC
with the position; stock and product writes are guarded by version, so redelivered events
change nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from uuid import UUID

import redis
from redis.client import Pipeline

from read_model.paging import Page, PageRequest
from read_model.redis.positioned import PositionedModel, as_position, queue
from read_model.sql.inventory import InventoryLine

VIEW = "inventory_cache"
"""The name the view is tracked under: runners, rebuilds and read-your-writes waits use it."""

_APPLY_STOCK = """
local p = ARGV[1]
if ARGV[5] then
  redis.call('HSET', p .. ':items', ARGV[2], ARGV[5] .. ' ' .. ARGV[6])
  redis.call('SADD', p .. ':stores_of:' .. ARGV[6], ARGV[5])
  local key = redis.call('HGET', p .. ':keys', ARGV[6])
  if key then redis.call('ZADD', p .. ':' .. ARGV[5] .. ':order', 0, key .. '\0' .. ARGV[6]) end
end
local where = redis.call('HGET', p .. ':items', ARGV[2])
if not where then return 0 end
local store, product = string.match(where, '(%S+) (%S+)')
local versions = p .. ':' .. store .. ':ver'
if tonumber(redis.call('HGET', versions, product) or '0') < tonumber(ARGV[3]) then
  redis.call('HINCRBY', p .. ':' .. store .. ':qty', product, ARGV[4])
  redis.call('HSET', versions, product, ARGV[3])
end
return 1
"""


_PUT_PRODUCT = """
local p = ARGV[1]
if tonumber(redis.call('HGET', p .. ':product_versions', ARGV[2]) or '0') < tonumber(ARGV[3]) then
  local old = redis.call('HGET', p .. ':keys', ARGV[2])
  for _, store in ipairs(redis.call('SMEMBERS', p .. ':stores_of:' .. ARGV[2])) do
    local order = p .. ':' .. store .. ':order'
    if old then redis.call('ZREM', order, old .. '\0' .. ARGV[2]) end
    if ARGV[4] ~= '' then redis.call('ZADD', order, 0, ARGV[5] .. '\0' .. ARGV[2]) end
  end
  if ARGV[4] == '' then
    redis.call('HDEL', p .. ':products', ARGV[2])
    redis.call('HDEL', p .. ':keys', ARGV[2])
  else
    redis.call('HSET', p .. ':products', ARGV[2], ARGV[4])
    redis.call('HSET', p .. ':keys', ARGV[2], ARGV[5])
  end
  redis.call('HSET', p .. ':product_versions', ARGV[2], ARGV[3])
end
"""

_LISTING = """
local p, store = ARGV[1], ARGV[2]
local order, quantities = p .. ':' .. store .. ':order', p .. ':' .. store .. ':qty'
local ids, available, details = {}, {}, {}
for i, member in ipairs(redis.call('ZRANGE', order, ARGV[3], ARGV[4])) do
  local product = string.match(member, '%z([^%z]*)$')
  ids[i] = product
  available[i] = redis.call('HGET', quantities, product)
  details[i] = redis.call('HGET', p .. ':products', product)
end
local position = ARGV[5] ~= '' and redis.call('GET', ARGV[5])
return {position, redis.call('ZCARD', order), ids, available, details}
"""

_TAKE_OVER = """
local live, scratch = ARGV[1], ARGV[2]
local live_position = tonumber(redis.call('GET', live .. ':position:' .. ARGV[3]) or '0')
if live_position > tonumber(ARGV[4]) then return 0 end
for _, key in ipairs(redis.call('KEYS', live .. ':*')) do redis.call('DEL', key) end
for _, key in ipairs(redis.call('KEYS', scratch .. ':*')) do
  redis.call('RENAME', key, live .. string.sub(key, #scratch + 1))
end
return 1
"""


class InventoryCache(PositionedModel):
    """Writes from the projection and reads for the API; every call may raise when Redis is down."""

    kind = "inventory cache"

    def __init__(self, client: redis.Redis, prefix: str = "inv") -> None:
        super().__init__(client, prefix)
        self._apply_stock = client.register_script(_APPLY_STOCK)
        self._put_product = client.register_script(_PUT_PRODUCT)
        self._take_over = client.register_script(_TAKE_OVER)
        self._read_listing = client.register_script(_LISTING)

    def open_stock(self, pipe: Pipeline, item_id: UUID, store_id: UUID, product_id: UUID) -> None:
        args: list[str | int] = [self.prefix, str(item_id), 1, 0, str(store_id), str(product_id)]
        queue(pipe, self._apply_stock, [], args)

    def apply_stock(self, pipe: Pipeline, item_id: UUID, version: int, delta: int) -> None:
        """Add `delta` to the item's available quantity unless `version` was applied already."""
        queue(pipe, self._apply_stock, [], [self.prefix, str(item_id), version, delta])

    def put_product(
        self,
        pipe: Pipeline,
        product_id: UUID,
        version: int,
        details: tuple[str, Decimal, str] | None,
    ) -> None:
        """Set (None: remove) a product's title, price and category if `version` is newer."""
        title, price, category = details or ("", Decimal(0), "")
        as_json = json.dumps({"title": title, "price": str(price), "category": category})
        args: list[str | int] = [
            self.prefix,
            str(product_id),
            version,
            as_json if details else "",
            title.lower(),
        ]
        queue(pipe, self._put_product, [], args)

    def clear(self) -> None:
        """Delete every key of this prefix (a scratch copy about to be rebuilt)."""
        for key in self.client.scan_iter(match=f"{self.prefix}:*", count=1000):
            self.client.delete(key)

    def take_over(self, scratch: InventoryCache, application: str, position: int) -> bool:
        """Replace these keys with the scratch copy's, atomically, unless they are ahead of it.

        False means the live projection moved past `position`: catch the scratch copy up
        and try again.
        """
        args: list[str | int] = [self.prefix, scratch.prefix, application, position]
        return bool(self._take_over([], args))

    def store_inventory(self, store_id: UUID) -> list[InventoryLine]:
        """Every line of the store's listing, in its order (for comparing with SQL's)."""
        return self._listing(store_id, 0, -1)[2]

    def stocked_page(
        self, store_id: UUID, page: PageRequest, position_key: str
    ) -> tuple[int | None, Page[InventoryLine] | None]:
        """`page`, or None for it when the store has no line here (whether an unknown store
        exists is SQL's to tell): a `fresh` read."""
        reached, found = self.page(store_id, page, position_key)
        return reached, found if found.count else None

    def page(
        self, store_id: UUID, page: PageRequest, position_key: str = ""
    ) -> tuple[int | None, Page[InventoryLine]]:
        """The position at `position_key` (none without one) and a page of the store's
        listing, by title, with how many lines it has: only the page's lines are read."""
        last = page.offset + page.page_size - 1
        reached, count, lines = self._listing(store_id, page.offset, last, position_key)
        return reached, Page(count, page.page, page.page_size, lines)

    def _listing(
        self, store_id: UUID, start: int, stop: int, position_key: str = ""
    ) -> tuple[int | None, int, list[InventoryLine]]:
        """One round trip: the lines from `start` to `stop`, the store's count of lines, and
        the position at `position_key` (none without one)."""
        args: list[str | int] = [self.prefix, str(store_id), start, stop, position_key]
        position, count, ids, available, details = self._read_listing([], args)
        lines = [
            _line(pid, int(quantity), json.loads(raw))
            for pid, quantity, raw in zip(ids, available, details, strict=True)
            if raw is not None and quantity is not None
        ]
        return as_position(position), count, lines


def _line(product_id: bytes | str, quantity: int, details: dict[str, str]) -> InventoryLine:
    pid = product_id.decode() if isinstance(product_id, bytes) else product_id
    return InventoryLine(
        product_id=UUID(pid),
        title=details["title"],
        price=Decimal(details["price"]),
        category=details["category"],
        quantity=quantity,
    )
