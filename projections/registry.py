"""The explicit list of projections each event log feeds, built from their storage."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from projections.base import Projection, SqlProjection
from projections.catalogue import CatalogueProjection
from projections.inventory import InventoryCacheProjection, StockProjection
from projections.orders import OrdersProjection
from read_model.redis.inventory import InventoryCache

SQL_PROJECTIONS: tuple[type[SqlProjection], ...] = (
    CatalogueProjection,
    StockProjection,
    OrdersProjection,
)


def shop_projections(pool: ConnectionPool, cache: InventoryCache) -> list[Projection]:
    """Every projection of the shop's event log, in no particular order."""
    return [*(kind(pool) for kind in SQL_PROJECTIONS), InventoryCacheProjection(cache)]
