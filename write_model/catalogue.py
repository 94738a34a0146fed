"""Store and Product aggregates: the shops and what they list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from write_model.delivery import (
    DEFAULT_CLOSES_AT,
    DEFAULT_OPENS_AT,
    DEFAULT_TIMEZONE,
    OpeningHours,
)
from write_model.errors import NotFoundError, RuleViolationError
from write_model.flash_sales import FlashSale, ProductDelistedError, flash_sale
from write_model.tax import checked_rate
from write_model.text import checked

CENT = Decimal("0.01")


class InvalidPriceError(RuleViolationError):
    """Raised when a price is not a positive amount of whole cents."""

    code = "invalid_price"


def money(amount: Decimal) -> Decimal:
    """Return `amount` as a positive two-place Decimal, or refuse it."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidPriceError(f"Price must be positive with at most 2 decimals, not {amount}.")
    return amount.quantize(CENT)


DEFAULT_DELIVERY_RADIUS_KM = 10.0
DEFAULT_LOW_STOCK_THRESHOLD = 3
"""Available units at or below which the owner is told: a store may choose its own."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a store is, and how far from there it delivers."""

    city: str
    lat: float
    lng: float
    delivery_radius_km: float = DEFAULT_DELIVERY_RADIUS_KM


class Store(Aggregate):
    """A shop with a place, a delivery radius, a low-stock threshold and opening hours."""

    class_version = 3
    """v2 added opening hours; v3 holds the place and the hours as values (a snapshot as
    the event: see `Registered`)."""

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        _open_by_default(state)

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        _as_values(state)

    class Registered(Aggregate.Created):
        class_version = 3
        """v2 added `timezone`, `opens_at` and `closes_at` (a v1 event gets the defaults);
        v3 carries them as `opening_hours`, and city, lat, lng and radius as `location`."""

        name: str
        owner_id: UUID
        location: Location
        low_stock_threshold: int
        opening_hours: OpeningHours

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            _open_by_default(state)

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            _as_values(state)

    @event(Registered)
    def __init__(
        self,
        *,
        id: UUID,
        name: str,
        owner_id: UUID,
        location: Location,
        low_stock_threshold: int,
        opening_hours: OpeningHours,
    ) -> None:
        self.name = name
        self.owner_id = owner_id
        self.location = location
        self.low_stock_threshold = low_stock_threshold
        self.opening_hours = opening_hours

    tax_rate: Decimal | None = None
    """The sales tax (percent) its prices include; None: it charges none."""

    class TaxRateSet(Aggregate.Event):
        tax_rate: Decimal | None

    def set_tax_rate(self, rate: Decimal | None) -> None:
        """Orders placed from now on are taxed at `rate`; the same rate again records nothing."""
        rate = checked_rate(rate)
        if rate != self.tax_rate:
            self._set_tax_rate(tax_rate=rate)

    @event(TaxRateSet)
    def _set_tax_rate(self, tax_rate: Decimal | None) -> None:
        self.tax_rate = tax_rate


def _open_by_default(state: dict[str, Any]) -> None:
    """Stores registered before opening hours existed keep the defaults (09:00-18:00 UTC)."""
    state.setdefault("timezone", DEFAULT_TIMEZONE)
    state.setdefault("opens_at", DEFAULT_OPENS_AT)
    state.setdefault("closes_at", DEFAULT_CLOSES_AT)


def _as_values(state: dict[str, Any]) -> None:
    """A v2 store's place and hours, stored field by field, as the values v3 holds."""
    place = {name: state.pop(name) for name in ("city", "lat", "lng", "delivery_radius_km")}
    hours = {name: state.pop(name) for name in ("timezone", "opens_at", "closes_at")}
    state["location"] = Location(**place)
    state["opening_hours"] = OpeningHours(**hours)


class Product(Aggregate):
    """A product listed by a store; its price (or a flash sale's, inside its window) is paid."""

    class Listed(Aggregate.Created):
        store_id: UUID
        title: str
        description: str
        price: Decimal
        category: str

    @event(Listed)
    def __init__(
        self,
        *,
        id: UUID,
        store_id: UUID,
        title: str,
        description: str,
        price: Decimal,
        category: str,
    ) -> None:
        self.store_id = store_id
        self.title = title
        self.description = description
        self.price = price
        self.category = category
        self.is_delisted = False
        self.flash_sale: FlashSale | None = None

    def price_at(self, now: datetime) -> Decimal:
        """What an order placed at `now` pays: a running flash sale's price, never above the
        regular one (a revision may have lowered the regular price below the sale's)."""
        sale = self.flash_sale
        return min(sale.price, self.price) if sale is not None and sale.is_on(now) else self.price

    class Revised(Aggregate.Event):
        title: str
        description: str
        price: Decimal
        category: str

    def revise(self, *, title: str, description: str, price: Decimal, category: str) -> None:
        """Record the new listing; an unchanged revision records nothing."""
        price = money(price)
        title, category = checked("title", title), checked("category", category)
        description = checked("description", description, multiline=True)
        if (title, description, price, category) == (
            self.title,
            self.description,
            self.price,
            self.category,
        ):
            return
        self._revise(title=title, description=description, price=price, category=category)

    @event(Revised)
    def _revise(self, *, title: str, description: str, price: Decimal, category: str) -> None:
        self.title = title
        self.description = description
        self.price = price
        self.category = category

    class Delisted(Aggregate.Event):
        pass

    def delist(self) -> None:
        """Take the product off sale; delisting twice is a no-op."""
        if not self.is_delisted:
            self._delist()

    @event(Delisted)
    def _delist(self) -> None:
        self.is_delisted = True

    class FlashSaleSet(Aggregate.Event):
        price: Decimal
        starts_at: datetime
        ends_at: datetime

    def set_flash_sale(
        self, *, price: Decimal, starts_at: datetime, ends_at: datetime, now: datetime
    ) -> None:
        """Sell below the regular price inside a window ending after `now`; replaces any
        earlier sale. The same sale again records nothing; a delisted product has none."""
        if self.is_delisted:
            raise ProductDelistedError(f"Product {self.id} was delisted.")
        sale = flash_sale(money(price), starts_at, ends_at, regular=self.price, now=now)
        if sale != self.flash_sale:
            self._set_flash_sale(price=sale.price, starts_at=sale.starts_at, ends_at=sale.ends_at)

    @event(FlashSaleSet)
    def _set_flash_sale(self, *, price: Decimal, starts_at: datetime, ends_at: datetime) -> None:
        self.flash_sale = FlashSale(price=price, starts_at=starts_at, ends_at=ends_at)

    class FlashSaleCancelled(Aggregate.Event):
        pass

    def cancel_flash_sale(self, now: datetime) -> None:
        """End the sale at once; with no sale running or to come, records nothing."""
        if self.flash_sale is not None and self.flash_sale.ends_at > now:
            self._cancel_flash_sale()

    @event(FlashSaleCancelled)
    def _cancel_flash_sale(self) -> None:
        self.flash_sale = None


class StoreNotFoundError(NotFoundError):
    """Raised when a command names a store that does not exist."""

    code = "store_not_found"


class ProductNotFoundError(NotFoundError):
    """Raised when a command names a product that does not exist."""

    code = "product_not_found"
