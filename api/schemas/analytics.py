"""Sales analytics and the store dashboard."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import Money


class SalesPeriodOut(BaseModel):
    """A period (day, ISO week from Monday, or month) by its first day."""

    period: date
    revenue: Money
    orders: int
    units: int
    cancelled_orders: int
    cancelled_value: Money
    completed_orders: int
    refunded: Money = Field(description="Refunds of returns received in the period.")


class ProductSalesOut(BaseModel):
    product_id: UUID
    title: str
    units: int
    revenue: Money
    returned_units: int
    return_rate: float = Field(description="Units received back over units sold.")


class CategoryRevenueOut(BaseModel):
    category: str
    revenue: Money


class LostProductOut(BaseModel):
    product_id: UUID
    title: str
    orders: int
    units: int
    shortfall: int
    value: Money


class LostDemandOut(BaseModel):
    """Units rejected orders asked for; `value` is their shortfall at the prices asked."""

    units: int
    shortfall: int
    value: Money
    by_product: list[LostProductOut]


class TurnoverOut(BaseModel):
    product_id: UUID
    title: str
    on_hand: int
    shipped: int
    average_on_hand: float | None
    turnover: float | None


class AlertOut(BaseModel):
    product_id: UUID
    title: str
    available: int
    threshold: int
    opened_at: datetime


class MonthlyAnalyticsOut(BaseModel):
    total_revenue: Money
    orders: int
    units: int
    cancelled_orders: int
    cancelled_value: Money
    refunded: Money
    category_revenue: list[CategoryRevenueOut]
    top_products: list[ProductSalesOut]


class ReservationCountsOut(BaseModel):
    """Holds made, by what became of them so far; the rate is converted over those ended."""

    made: int
    converted: int
    expired: int
    released: int
    held: int
    conversion_rate: float | None


class ReservationDayOut(ReservationCountsOut):
    day: date


class DashboardOut(BaseModel):
    store_id: UUID
    month: int
    year: int
    monthly_analytics: MonthlyAnalyticsOut
    completed_orders: int
    low_stock_products: int
    """How many listed products have available stock at or below the store's threshold."""
    active_alerts: list[AlertOut]
    lost_demand: LostDemandOut
    reservations: ReservationCountsOut
    """The month's holds: how many became orders."""
