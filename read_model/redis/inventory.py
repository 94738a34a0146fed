"""Per-store inventory in Redis, kept by its own projection; the SQL listing is the fallback.

Keys: `inv:{store}:qty` (product -> available), `inv:{store}:ver` (product -> stock version),
`inv:items` (stock item -> store and product),
`inv:products` (product -> JSON title/price/category, or absent once delisted) with
`inv:product_versions`,
`inv:position:{application}` (the last event applied). Each batch is one MULTI/EXEC with
the position; stock and product writes are guarded by version, so redelivered events
change nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from uuid import UUID

import redis
from eventsourcing.persistence import Tracking
from redis.client import Pipeline

from read_model.sql.inventory import InventoryLine

_APPLY_STOCK = """
if ARGV[4] then redis.call('HSET', 'inv:items', ARGV[1], ARGV[4] .. ' ' .. ARGV[5]) end
local where = redis.call('HGET', 'inv:items', ARGV[1])
if not where then return 0 end
local store, product = string.match(where, '(%S+) (%S+)')
local versions = 'inv:' .. store .. ':ver'
if tonumber(redis.call('HGET', versions, product) or '0') < tonumber(ARGV[2]) then
  redis.call('HINCRBY', 'inv:' .. store .. ':qty', product, ARGV[3])
  redis.call('HSET', versions, product, ARGV[2])
end
return 1
"""


_PUT_PRODUCT = """
if tonumber(redis.call('HGET', 'inv:product_versions', ARGV[1]) or '0') < tonumber(ARGV[2]) then
  if ARGV[3] == '' then
    redis.call('HDEL', 'inv:products', ARGV[1])
  else
    redis.call('HSET', 'inv:products', ARGV[1], ARGV[3])
  end
  redis.call('HSET', 'inv:product_versions', ARGV[1], ARGV[2])
end
"""


class InventoryCache:
    """Writes from the projection and reads for the API; every call may raise when Redis is down."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._apply_stock = client.register_script(_APPLY_STOCK)
        self._put_product = client.register_script(_PUT_PRODUCT)

    @contextmanager
    def session(self, tracking: Tracking) -> Iterator[Pipeline]:
        """Writes queued on the pipeline apply atomically, together with the new position."""
        pipe = self.client.pipeline(transaction=True)
        yield pipe
        pipe.set(f"inv:position:{tracking.application_name}", tracking.notification_id)
        pipe.execute()

    def open_stock(self, pipe: Pipeline, item_id: UUID, store_id: UUID, product_id: UUID) -> None:
        self._apply_stock([], [str(item_id), 1, 0, str(store_id), str(product_id)], client=pipe)

    def apply_stock(self, pipe: Pipeline, item_id: UUID, version: int, delta: int) -> None:
        """Add `delta` to the item's available quantity unless `version` was applied already."""
        self._apply_stock([], [str(item_id), version, delta], client=pipe)

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
        self._put_product([], [str(product_id), version, as_json if details else ""], client=pipe)

    def position(self, application: str) -> int | None:
        """None when Redis holds no position: empty or being rebuilt, so not to be trusted."""
        value = self.client.get(f"inv:position:{application}")
        return int(value) if value is not None else None

    def store_inventory(self, store_id: UUID) -> list[InventoryLine]:
        quantities = self.client.hgetall(f"inv:{store_id}:qty")
        if not quantities:
            return []
        product_ids = list(quantities)
        details = self.client.hmget("inv:products", product_ids)
        lines = [
            _line(pid, int(quantities[pid]), json.loads(raw))
            for pid, raw in zip(product_ids, details, strict=True)
            if raw is not None
        ]
        return sorted(lines, key=lambda line: (line.title.lower(), str(line.product_id)))


def _line(product_id: bytes | str, quantity: int, details: dict[str, str]) -> InventoryLine:
    pid = product_id.decode() if isinstance(product_id, bytes) else product_id
    return InventoryLine(
        product_id=UUID(pid),
        title=details["title"],
        price=Decimal(details["price"]),
        category=details["category"],
        quantity=quantity,
    )
