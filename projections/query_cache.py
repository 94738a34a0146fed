"""Product and Order events -> invalidations of the Redis query cache, with its own position."""

from __future__ import annotations

from typing import Any

from projections.base import StoreProjection, event_handler, topics_of
from projections.orders import OrdersProjection
from read_model.redis import cache
from read_model.redis.cache import CacheBatch, QueryCache
from write_model.catalogue import Product
from write_model.orders import Order


class QueryCacheProjection(StoreProjection[QueryCache]):
    """Marks cached product pages and order views stale as the events that change them arrive.

    It follows exactly the order events the orders projection applies: a version it never
    writes to SQL would leave the order's floor out of reach and the order uncached.
    """

    name = cache.VIEW
    topics = (
        *topics_of(
            Product.Listed,
            Product.Revised,
            Product.Delisted,
            Product.FlashSaleSet,
            Product.FlashSaleCancelled,
        ),
        *OrdersProjection.topics,
    )

    @event_handler
    def apply(self, event: Any, batch: CacheBatch) -> None:
        """Events of other kinds change nothing here."""

    @apply.register
    def _(self, event: Product.Event, batch: CacheBatch) -> None:
        self.store.products_changed(batch)

    @apply.register
    def _(self, event: Order.Event, batch: CacheBatch) -> None:
        self.store.order_changed(batch, event.originator_id, event.originator_version)
