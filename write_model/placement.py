"""The order-placement decision: merge lines, price them, check stock, all or nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from write_model.catalogue import Product, Store, StoreNotFoundError
from write_model.commands import OrderItem
from write_model.errors import RuleViolationError
from write_model.inventory import StockItem
from write_model.orders import IdempotencyKeyReusedError, OrderLine, Shortfall, total_of

MAX_LINES = 100
MAX_QUANTITY = 1000


class InvalidOrderError(RuleViolationError):
    """Raised when an order's lines are empty, too many, or ask for an impossible quantity."""

    code = "invalid_order"


class UnknownProductError(RuleViolationError):
    """Raised when an order names a product that is not (or no longer) listed."""

    code = "unknown_product"


class OrderTotalTooLowError(RuleViolationError):
    """Raised when an order's total is below the marketplace minimum."""

    code = "order_total_too_low"


def merge_items(items: Iterable[OrderItem]) -> dict[UUID, int]:
    """Sum the quantities of repeated products, keeping first-seen order; check the limits."""
    merged: Counter[UUID] = Counter()
    for item in items:
        if item.quantity < 1:
            raise InvalidOrderError(f"Quantity must be at least 1, not {item.quantity}.")
        merged[item.product_id] += item.quantity
    if not merged:
        raise InvalidOrderError("An order needs at least one item.")
    if len(merged) > MAX_LINES:
        raise InvalidOrderError(f"An order may have at most {MAX_LINES} lines.")
    too_many = [str(pid) for pid, qty in merged.items() if qty > MAX_QUANTITY]
    if too_many:
        raise InvalidOrderError(
            f"At most {MAX_QUANTITY} of one product per order.", details={"product_ids": too_many}
        )
    return dict(merged)


def price_lines(
    quantities: Mapping[UUID, int],
    products: Mapping[UUID, Product | None],
    minimum: Decimal,
    now: datetime,
) -> tuple[OrderLine, ...]:
    """Lines at the price in force at `now` (a running flash sale's); every product must be
    listed and the total reach `minimum`."""
    unknown = [str(pid) for pid in quantities if _unlisted(products.get(pid))]
    if unknown:
        raise UnknownProductError(
            "Unknown or delisted product(s) in the order.", details={"product_ids": unknown}
        )
    lines = tuple(
        OrderLine(product_id=pid, title=p.title, quantity=qty, unit_price=p.price_at(now))
        for pid, qty in quantities.items()
        if (p := products[pid]) is not None
    )
    total = total_of(lines)
    if total < minimum:
        raise OrderTotalTooLowError(
            f"The order total {total} is below the minimum of {minimum}.",
            details={"total": str(total), "minimum": str(minimum)},
        )
    return lines


def shortfalls(
    lines: Iterable[OrderLine], stock: Mapping[UUID, StockItem | None]
) -> tuple[Shortfall, ...]:
    """Every line the store cannot serve in full; a product it does not stock has 0."""
    result = []
    for line in lines:
        item = stock.get(line.product_id)
        available = item.available if item is not None else 0
        if available < line.quantity:
            result.append(
                Shortfall(product_id=line.product_id, requested=line.quantity, available=available)
            )
    return tuple(result)


class Request(Protocol):
    """What an order or a reservation was asked for: by whom, where, how many of each."""

    @property
    def user_id(self) -> UUID: ...

    @property
    def store_id(self) -> UUID: ...

    @property
    def lines(self) -> tuple[OrderLine, ...]: ...


@dataclass(frozen=True, slots=True)
class Basket:
    """What an order or a reservation asks of one store: how many of each product (merged
    and checked), and the store's stock item of each."""

    store_id: UUID
    quantities: dict[UUID, int]
    stock_ids: dict[UUID, UUID]

    @classmethod
    def of(cls, store_id: UUID, items: Iterable[OrderItem]) -> Basket:
        quantities = merge_items(items)
        stock_ids = {pid: StockItem.create_id(store_id, pid) for pid in quantities}
        return cls(store_id, quantities, stock_ids)

    def wanted(self) -> dict[UUID, type[Aggregate]]:
        """What deciding on the basket reads, in one query."""
        return (
            {self.store_id: Store}
            | dict.fromkeys(self.quantities, Product)
            | dict.fromkeys(self.stock_ids.values(), StockItem)
        )

    def priced(
        self, found: Mapping[UUID, Any], minimum: Decimal, now: datetime
    ) -> tuple[tuple[OrderLine, ...], dict[UUID, StockItem | None]]:
        """The lines priced at `now` and the store's stock of each product, from what
        `wanted` found."""
        if found[self.store_id] is None:
            raise StoreNotFoundError(f"Store {self.store_id} does not exist.")
        products = {pid: found[pid] for pid in self.quantities}
        lines = price_lines(self.quantities, products, minimum, now)
        return lines, {pid: found[item_id] for pid, item_id in self.stock_ids.items()}

    def check_repeat(self, earlier: Request, user_id: UUID, what: str) -> None:
        """A repeated id (an idempotency key) must come with the same request as the first."""
        asked = {line.product_id: line.quantity for line in earlier.lines}
        if (earlier.user_id, earlier.store_id, asked) != (user_id, self.store_id, self.quantities):
            raise IdempotencyKeyReusedError(f"This idempotency key was used for another {what}.")


def _unlisted(product: Product | None) -> bool:
    return product is None or product.is_delisted
