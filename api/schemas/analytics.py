"""Sales analytics and the store dashboard."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.alerts import StockAlertOut
from api.schemas.common import Money
from api.schemas.examples import CUP_ID, MUG_ID, STORE_ID, example_of, with_examples


class SalesPeriodOut(BaseModel):
    """A period (day, ISO week from Monday, or month) by its first day."""

    model_config = with_examples(
        {
            "period": "2025-03-14",
            "revenue": "92.00",
            "orders": 3,
            "units": 6,
            "cancelled_orders": 1,
            "cancelled_value": "18.50",
            "completed_orders": 2,
            "refunded": "0.00",
        }
    )

    period: date
    revenue: Money
    orders: int
    units: int
    cancelled_orders: int
    cancelled_value: Money
    completed_orders: int
    refunded: Money = Field(description="Refunds of returns received in the period.")


class ProductSalesOut(BaseModel):
    model_config = with_examples(
        {
            "product_id": MUG_ID,
            "title": "Speckled stoneware mug",
            "units": 40,
            "revenue": "740.00",
            "returned_units": 1,
            "return_rate": 0.025,
        }
    )

    product_id: UUID
    title: str
    units: int
    revenue: Money
    returned_units: int
    return_rate: float = Field(description="Units received back over units sold.")


class CategoryRevenueOut(BaseModel):
    model_config = with_examples({"category": "mugs", "revenue": "740.00"})

    category: str
    revenue: Money


class LostProductOut(BaseModel):
    model_config = with_examples(
        {
            "product_id": CUP_ID,
            "title": "Espresso cup",
            "orders": 2,
            "units": 5,
            "shortfall": 3,
            "value": "27.00",
        }
    )

    product_id: UUID
    title: str
    orders: int
    units: int
    shortfall: int
    value: Money


class LostDemandOut(BaseModel):
    """Units rejected orders asked for; `value` is their shortfall at the prices asked."""

    model_config = with_examples(
        {"units": 5, "shortfall": 3, "value": "27.00", "by_product": [example_of(LostProductOut)]}
    )

    units: int
    shortfall: int
    value: Money
    by_product: list[LostProductOut]


class TurnoverOut(BaseModel):
    model_config = with_examples(
        {
            "product_id": MUG_ID,
            "title": "Speckled stoneware mug",
            "on_hand": 22,
            "shipped": 40,
            "average_on_hand": 20.0,
            "turnover": 2.0,
        }
    )

    product_id: UUID
    title: str
    on_hand: int
    shipped: int
    average_on_hand: float | None
    turnover: float | None


class AlertOut(BaseModel):
    model_config = with_examples(example_of(StockAlertOut))

    product_id: UUID
    title: str
    available: int
    threshold: int
    opened_at: datetime


class MonthlyAnalyticsOut(BaseModel):
    model_config = with_examples(
        {
            "total_revenue": "1082.00",
            "orders": 31,
            "units": 78,
            "cancelled_orders": 2,
            "cancelled_value": "55.50",
            "refunded": "18.50",
            "category_revenue": [
                example_of(CategoryRevenueOut),
                {"category": "cups", "revenue": "342.00"},
            ],
            "top_products": [example_of(ProductSalesOut)],
        }
    )

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

    model_config = with_examples(
        {
            "made": 25,
            "converted": 18,
            "expired": 4,
            "released": 2,
            "held": 1,
            "conversion_rate": 0.75,
        }
    )

    made: int
    converted: int
    expired: int
    released: int
    held: int
    conversion_rate: float | None


class ReservationDayOut(ReservationCountsOut):
    model_config = with_examples(
        {
            "day": "2025-03-14",
            "made": 3,
            "converted": 2,
            "expired": 0,
            "released": 0,
            "held": 1,
            "conversion_rate": 1.0,
        }
    )

    day: date


class DashboardOut(BaseModel):
    model_config = with_examples(
        {
            "store_id": STORE_ID,
            "month": 3,
            "year": 2025,
            "monthly_analytics": example_of(MonthlyAnalyticsOut),
            "completed_orders": 24,
            "low_stock_products": 1,
            "active_alerts": [example_of(AlertOut)],
            "lost_demand": example_of(LostDemandOut),
            "reservations": example_of(ReservationCountsOut),
        }
    )

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
