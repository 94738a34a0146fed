"""StockItem and Product events -> stock per store with its listing, in SQL and in the Redis
cache."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import Cursor
from redis.client import Pipeline

from projections.base import SqlProjection, StoreProjection, event_handler, topics_of
from read_model.redis import inventory as cached_inventory
from read_model.redis.inventory import InventoryCache
from read_model.sql import inventory
from read_model.sql.inventory import (
    Listing,
    StockChange,
    apply_stock,
    change_products,
    open_stock,
)
from write_model.catalogue import Product
from write_model.inventory import StockItem

MOVES = {
    StockItem.Received: (1, 0),
    StockItem.Adjusted: (1, 0),
    StockItem.Returned: (1, 0),
    StockItem.Reserved: (0, 1),
    StockItem.Held: (0, 1),
    StockItem.Released: (0, -1),
    StockItem.HoldReleased: (0, -1),
    StockItem.Committed: (-1, -1),
}
"""How each stock event moves its item's (on hand, reserved), in units of its quantity."""
STOCK_DELTAS = tuple(MOVES)
LISTING_EVENTS = (Product.Listed, Product.Revised, Product.Delisted)


def stock_change(event: Any) -> StockChange:
    """A stock event's (`STOCK_DELTAS`) effect on its item's (on hand, reserved)."""
    on_hand, reserved = MOVES[type(event)]
    quantity = event.quantity
    return StockChange(
        event.originator_id, event.originator_version, on_hand * quantity, reserved * quantity
    )


class StockProjection(SqlProjection):
    """Stock per store, each row showing its product as listed (title, price, category)."""

    name = inventory.VIEW
    tables = ("stock", "stock_products")
    topics = topics_of(StockItem.Opened, *STOCK_DELTAS, *LISTING_EVENTS)

    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        self.apply_batch([event], cur)

    def apply_batch(self, events: Sequence[Any], cur: Cursor[Any]) -> None:
        """Rows opened in one statement, the products' listings in a few, then every item's
        deltas in one. An event seen twice in the batch counts once; events of an item
        count in version order."""
        opened = [e for e in events if isinstance(e, StockItem.Opened)]
        if opened:
            open_stock(cur, [(e.originator_id, e.store_id, e.product_id) for e in opened])
        listings = [listing(e) for e in events if isinstance(e, Product.Listed | Product.Revised)]
        delisted = [
            (e.originator_id, e.originator_version)
            for e in events
            if isinstance(e, Product.Delisted)
        ]
        if listings or delisted:
            change_products(cur, listings, delisted)
        changes = {
            (e.originator_id, e.originator_version): e
            for e in events
            if isinstance(e, STOCK_DELTAS)
        }
        if changes:
            apply_stock(cur, [stock_change(e) for e in changes.values()])


def listing(event: Product.Listed | Product.Revised) -> Listing:
    return Listing(
        event.originator_id, event.originator_version, event.title, event.price, event.category
    )


class InventoryCacheProjection(StoreProjection[InventoryCache]):
    """Keeps the Redis inventory; its position lives in Redis with the data it describes."""

    name = cached_inventory.VIEW
    topics = topics_of(StockItem.Opened, *STOCK_DELTAS, *LISTING_EVENTS)

    @event_handler
    def apply(self, event: Any, pipe: Pipeline) -> None:
        change = stock_change(event)
        self.store.apply_stock(
            pipe, change.item_id, change.version, change.on_hand - change.reserved
        )

    @apply.register
    def _(self, event: StockItem.Opened, pipe: Pipeline) -> None:
        self.store.open_stock(pipe, event.originator_id, event.store_id, event.product_id)

    @apply.register
    def _(self, event: Product.Listed, pipe: Pipeline) -> None:
        self._put(pipe, event)

    @apply.register
    def _(self, event: Product.Revised, pipe: Pipeline) -> None:
        self._put(pipe, event)

    @apply.register
    def _(self, event: Product.Delisted, pipe: Pipeline) -> None:
        self.store.put_product(pipe, event.originator_id, event.originator_version, None)

    def _put(self, pipe: Pipeline, event: Product.Listed | Product.Revised) -> None:
        details = (event.title, event.price, event.category)
        self.store.put_product(pipe, event.originator_id, event.originator_version, details)
