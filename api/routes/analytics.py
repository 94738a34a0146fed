"""Sales analytics and the store dashboard: for the store's owner and admins.

A store's figures are for its owner and admins (another user: 403, an unknown store: 404);
without `store_id` an admin sees every store together, anyone else is asked for one (400).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel

from api.dependencies import CurrentUser, ServicesDep
from api.errors import ApiError
from api.read_your_writes import read_after
from api.routing import routes
from api.schemas.analytics import (
    AlertOut,
    CategoryRevenueOut,
    DashboardOut,
    LostDemandOut,
    MonthlyAnalyticsOut,
    ProductSalesOut,
    ReservationCountsOut,
    ReservationDayOut,
    SalesPeriodOut,
    TurnoverOut,
)
from api.store_access import managed_store
from read_model.sql import analytics, catalogue, inventory, reservations
from read_model.sql import analytics_reports as reports
from read_model.sql.alerts import open_alerts
from read_model.sql.analytics_reports import Granularity, Window
from write_model.commands import Actor

Out = TypeVar("Out", bound=BaseModel)
router = routes("analytics")
AnalyticsRead = Depends(read_after(catalogue.VIEW, analytics.VIEW))
DashboardRead = Depends(
    read_after(catalogue.VIEW, inventory.VIEW, analytics.VIEW, reservations.VIEW)
)
ReservationsRead = Depends(read_after(catalogue.VIEW, reservations.VIEW))
DEFAULT_DAYS = 30
MAX_DAYS = 3660
DASHBOARD_TOP = 5
StoreParam = Annotated[UUID | None, Query()]
EARLIEST, LATEST = date(1970, 1, 1), date(2999, 12, 31)
From = Annotated[
    date | None, Query(alias="from", ge=EARLIEST, le=LATEST, description="first UTC day, inclusive")
]
To = Annotated[
    date | None, Query(alias="to", ge=EARLIEST, le=LATEST, description="last UTC day, inclusive")
]


def store_scope(actor: Actor, services: ServicesDep, store_id: UUID | None) -> UUID | None:
    """The store the caller may see figures of, or None for all stores (admins only)."""
    if store_id is None:
        if not actor.is_admin:
            raise ApiError(
                400, "validation_error", "store_id is required (only admins may omit it)."
            )
        return None
    managed_store(services, actor, store_id)
    return store_id


def checked_range(start: date | None, end: date | None) -> None:
    if start is not None and end is not None and start > end:
        raise ApiError(400, "validation_error", "from must not be after to.")
    if start is not None and end is not None and (end - start).days >= MAX_DAYS:
        raise ApiError(400, "validation_error", f"A range spans at most {MAX_DAYS} days.")


@router.get("/api/analytics/sales", dependencies=[AnalyticsRead])
def sales(
    actor: CurrentUser,
    services: ServicesDep,
    store_id: StoreParam = None,
    start: From = None,
    end: To = None,
    granularity: Granularity = "day",
) -> list[SalesPeriodOut]:
    """Revenue, orders and units per period, every period of the range (default: 30 days)."""
    end = end or datetime.now(UTC).date()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    checked_range(start, end)
    window = Window(store_scope(actor, services, store_id), start, end)
    return _all(SalesPeriodOut, reports.sales(services.pool, window, granularity))


@router.get("/api/analytics/top-products", dependencies=[AnalyticsRead])
def top_products(
    actor: CurrentUser,
    services: ServicesDep,
    store_id: StoreParam = None,
    start: From = None,
    end: To = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> list[ProductSalesOut]:
    """Products by revenue of orders still standing (default: all time)."""
    checked_range(start, end)
    window = Window(store_scope(actor, services, store_id), start, end)
    return _all(ProductSalesOut, reports.top_products(services.pool, window, limit))


@router.get("/api/analytics/lost-demand", dependencies=[AnalyticsRead])
def lost_demand(
    actor: CurrentUser,
    services: ServicesDep,
    store_id: StoreParam = None,
    start: From = None,
    end: To = None,
) -> LostDemandOut:
    """Units and value rejected orders asked for, per product (default: all time)."""
    checked_range(start, end)
    window = Window(store_scope(actor, services, store_id), start, end)
    return LostDemandOut.model_validate(
        reports.lost_demand(services.pool, window), from_attributes=True
    )


@router.get("/api/analytics/reservations", dependencies=[ReservationsRead])
def reservation_days(
    actor: CurrentUser,
    services: ServicesDep,
    store_id: StoreParam = None,
    start: From = None,
    end: To = None,
) -> list[ReservationDayOut]:
    """Per UTC day holds were made on (default: all time): how many, and how they ended."""
    checked_range(start, end)
    scope = store_scope(actor, services, store_id)
    return _all(ReservationDayOut, reservations.by_day(services.pool, scope, start, end))


@router.get("/api/analytics/stock-turnover", dependencies=[AnalyticsRead])
def stock_turnover(
    actor: CurrentUser, services: ServicesDep, store_id: Annotated[UUID, Query()]
) -> list[TurnoverOut]:
    """Per product: units shipped over the average stock on hand since it was first stocked."""
    store_scope(actor, services, store_id)
    return _all(TurnoverOut, reports.stock_turnover(services.pool, store_id, datetime.now(UTC)))


@router.get("/api/stores/{store_id}/dashboard", dependencies=[DashboardRead])
def dashboard(
    store_id: UUID,
    actor: CurrentUser,
    services: ServicesDep,
    month: Annotated[int | None, Query(ge=1, le=12)] = None,
    year: Annotated[int | None, Query(ge=EARLIEST.year, le=LATEST.year)] = None,
) -> DashboardOut:
    """One month of a store's sales, with its stock worries (default: the current UTC month)."""
    store_scope(actor, services, store_id)
    today = datetime.now(UTC).date()
    first = date(year or today.year, month or today.month, 1)
    window = Window(store_id, first, (first + timedelta(days=31)).replace(day=1) - timedelta(1))
    totals, pool = reports.totals(services.pool, window), services.pool
    monthly = MonthlyAnalyticsOut(
        total_revenue=totals.revenue,
        orders=totals.orders,
        units=totals.units,
        cancelled_orders=totals.cancelled_orders,
        cancelled_value=totals.cancelled_value,
        refunded=totals.refunded,
        category_revenue=_all(CategoryRevenueOut, reports.category_revenue(pool, window)),
        top_products=_all(ProductSalesOut, reports.top_products(pool, window, DASHBOARD_TOP)),
    )
    return DashboardOut(
        store_id=store_id,
        month=first.month,
        year=first.year,
        monthly_analytics=monthly,
        completed_orders=totals.completed_orders,
        low_stock_products=reports.low_stock_count(pool, store_id),
        active_alerts=_all(AlertOut, open_alerts(pool, store_id)),
        lost_demand=LostDemandOut.model_validate(
            reports.lost_demand(pool, window), from_attributes=True
        ),
        reservations=ReservationCountsOut.model_validate(
            reservations.totals(pool, store_id, window.start, window.end), from_attributes=True
        ),
    )


def _all(kind: type[Out], rows: Sequence[object]) -> list[Out]:
    return [kind.model_validate(row, from_attributes=True) for row in rows]
