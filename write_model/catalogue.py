"""Store and Product aggregates: the shops and what they list."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from write_model.errors import RuleViolationError

CENT = Decimal("0.01")


class InvalidPriceError(RuleViolationError):
    """Raised when a price is not a positive amount of whole cents."""

    code = "invalid_price"


def money(amount: Decimal) -> Decimal:
    """Return `amount` as a positive two-place Decimal, or refuse it."""
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(CENT):
        raise InvalidPriceError(f"Price must be positive with at most 2 decimals, not {amount}.")
    return amount.quantize(CENT)


class Store(Aggregate):
    """A shop with a place, a delivery radius and a low-stock threshold."""

    class Registered(Aggregate.Created):
        name: str
        owner_id: UUID
        city: str
        lat: float
        lng: float
        delivery_radius_km: float
        low_stock_threshold: int

    @event(Registered)
    def __init__(
        self,
        *,
        id: UUID,
        name: str,
        owner_id: UUID,
        city: str,
        lat: float,
        lng: float,
        delivery_radius_km: float,
        low_stock_threshold: int,
    ) -> None:
        self.name = name
        self.owner_id = owner_id
        self.city = city
        self.lat = lat
        self.lng = lng
        self.delivery_radius_km = delivery_radius_km
        self.low_stock_threshold = low_stock_threshold


class Product(Aggregate):
    """A product listed by a store; its price is what the next order pays."""

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

    class Revised(Aggregate.Event):
        title: str
        description: str
        price: Decimal
        category: str

    def revise(self, *, title: str, description: str, price: Decimal, category: str) -> None:
        """Record the new listing; an unchanged revision records nothing."""
        price = money(price)
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
