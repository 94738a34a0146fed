"""Commands: frozen requests with caller-chosen ids, one per use case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from write_model.catalogue import DEFAULT_LOW_STOCK_THRESHOLD, Location
from write_model.delivery import DEFAULT_OPENING_HOURS, OpeningHours

DEFAULT_HOLD_MINUTES = 15


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who asks: the signed-in user and their role."""

    user_id: UUID
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUser:
    email: str
    username: str
    password: str
    role: str = "customer"


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterStore:
    store_id: UUID
    owner_id: UUID
    name: str
    location: Location
    low_stock_threshold: int = DEFAULT_LOW_STOCK_THRESHOLD
    opening_hours: OpeningHours = DEFAULT_OPENING_HOURS
    tax_rate: Decimal | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTaxRate:
    store_id: UUID
    tax_rate: Decimal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ListProduct:
    product_id: UUID
    store_id: UUID
    title: str
    description: str
    price: Decimal
    category: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviseProduct:
    """Fields left as None keep their current value."""

    product_id: UUID
    title: str | None = None
    description: str | None = None
    price: Decimal | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetFlashSale:
    """Sell the product at `price` from `starts_at` (included) to `ends_at` (excluded)."""

    product_id: UUID
    price: Decimal
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustStock:
    """A positive quantity with reason "received" is a delivery; anything else a correction."""

    store_id: UUID
    product_id: UUID
    quantity: int
    reason: str = "received"


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportCatalogue:
    """New products to list in one store and stock to adjust there, saved all or nothing."""

    store_id: UUID
    products: tuple[ListProduct, ...] = ()
    stock: tuple[AdjustStock, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderItem:
    product_id: UUID
    quantity: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceOrder:
    order_id: UUID
    user_id: UUID
    store_id: UUID
    items: tuple[OrderItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReserveStock:
    """Hold the items' units at the store for `minutes`, for an order placed later."""

    reservation_id: UUID
    user_id: UUID
    store_id: UUID
    items: tuple[OrderItem, ...]
    minutes: int = DEFAULT_HOLD_MINUTES


@dataclass(frozen=True, slots=True, kw_only=True)
class PlaceReservedOrder:
    """Order what a reservation holds, at the prices it was made at."""

    order_id: UUID
    user_id: UUID
    reservation_id: UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestReturn:
    """Send back some units of a delivered order; `items` maps product to quantity."""

    order_id: UUID
    items: tuple[OrderItem, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeReturnStatus:
    """Receive a return, or refuse it with a reason."""

    return_id: UUID
    status: str
    reason: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeOrderStatus:
    order_id: UUID
    status: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleDelivery:
    """Book (or move) an order's delivery to the hourly slot starting at `slot_start`."""

    order_id: UUID
    address: str
    slot_start: datetime
