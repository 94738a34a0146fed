"""The explicit list of projections each event log feeds, built from their storage."""

from __future__ import annotations

from psycopg_pool import ConnectionPool

from projections.alerts import StockAlertsProjection
from projections.analytics import AnalyticsProjection
from projections.base import Projection, SqlProjection
from projections.catalogue import CatalogueProjection
from projections.inventory import InventoryCacheProjection, StockProjection
from projections.orders import OrdersProjection
from projections.query_cache import QueryCacheProjection
from projections.reservations import ReservationsProjection
from projections.returns import ReturnsProjection
from projections.suggest import SuggestProjection
from read_model.redis.cache import QueryCache
from read_model.redis.inventory import InventoryCache
from read_model.redis.suggest import SuggestIndex

SQL_PROJECTIONS: tuple[type[SqlProjection], ...] = (
    CatalogueProjection,
    StockProjection,
    OrdersProjection,
    AnalyticsProjection,
    StockAlertsProjection,
    ReservationsProjection,
    ReturnsProjection,
)


def shop_projections(
    pool: ConnectionPool, cache: InventoryCache, suggest: SuggestIndex, queries: QueryCache
) -> list[Projection]:
    """Every projection of the shop's event log, in no particular order."""
    return [
        *(kind(pool) for kind in SQL_PROJECTIONS),
        InventoryCacheProjection(cache),
        SuggestProjection(suggest),
        QueryCacheProjection(queries),
    ]
