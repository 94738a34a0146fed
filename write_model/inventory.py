"""StockItem: one product's stock in one store, never below zero."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from write_model.errors import RuleViolationError
from write_model.text import checked

STOCK_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:stock-item")


class NegativeStockError(RuleViolationError):
    """Raised when an adjustment would take stock on hand below what is held or zero."""

    code = "negative_stock"


class StockItem(Aggregate):
    """Stock on hand and reserved for one (store, product); available = on hand - reserved.

    Only counters are kept, so a cached item copies cheaply however many orders it served;
    which order holds what is the order's business (its lines say how many).
    """

    @staticmethod
    def create_id(store_id: UUID, product_id: UUID) -> UUID:
        """The same store and product always name the same stock item."""
        return uuid5(STOCK_NAMESPACE, f"{store_id}/{product_id}")

    class Opened(Aggregate.Created):
        store_id: UUID
        product_id: UUID

    @event(Opened)
    def __init__(self, store_id: UUID, product_id: UUID) -> None:
        self.store_id = store_id
        self.product_id = product_id
        self.on_hand = 0
        self.reserved = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    class Received(Aggregate.Event):
        quantity: int

    class Adjusted(Aggregate.Event):
        quantity: int
        reason: str

    def adjust(self, quantity: int, reason: str) -> None:
        """Receive (reason "received", quantity > 0) or correct stock by a signed amount."""
        checked("reason", reason, multiline=True)
        if quantity == 0:
            return
        if self.available + quantity < 0:
            raise NegativeStockError(
                f"Cannot remove {-quantity}: only {self.available} available.",
                details={"available": self.available},
            )
        if reason == "received" and quantity > 0:
            self._receive(quantity=quantity)
        else:
            self._adjust(quantity=quantity, reason=reason)

    @event(Received)
    def _receive(self, quantity: int) -> None:
        self.on_hand += quantity

    @event(Adjusted)
    def _adjust(self, quantity: int, reason: str) -> None:
        self.on_hand += quantity

    class Reserved(Aggregate.Event):
        order_id: UUID
        quantity: int

    def reserve(self, order_id: UUID, quantity: int) -> None:
        """Hold `quantity` for an order, never more than is available."""
        self._check_available(quantity)
        self._reserve(order_id=order_id, quantity=quantity)

    @event(Reserved)
    def _reserve(self, order_id: UUID, quantity: int) -> None:
        self.reserved += quantity

    class Released(Aggregate.Event):
        order_id: UUID
        quantity: int

    def release(self, order_id: UUID, quantity: int) -> None:
        """Give an order's held stock back (the order's lifecycle makes this happen once)."""
        self._check_held(quantity)
        self._release(order_id=order_id, quantity=quantity)

    @event(Released)
    def _release(self, order_id: UUID, quantity: int) -> None:
        self.reserved -= quantity

    class Held(Aggregate.Event):
        reservation_id: UUID
        quantity: int

    def hold(self, reservation_id: UUID, quantity: int) -> None:
        """Hold `quantity` for a reservation, never more than is available; an order made
        from the reservation takes the held units over as its own."""
        self._check_available(quantity)
        self._hold(reservation_id=reservation_id, quantity=quantity)

    @event(Held)
    def _hold(self, reservation_id: UUID, quantity: int) -> None:
        self.reserved += quantity

    class HoldReleased(Aggregate.Event):
        reservation_id: UUID
        quantity: int

    def release_hold(self, reservation_id: UUID, quantity: int) -> None:
        """Give a released or expired reservation's units back (its lifecycle makes this once)."""
        self._check_held(quantity)
        self._release_hold(reservation_id=reservation_id, quantity=quantity)

    @event(HoldReleased)
    def _release_hold(self, reservation_id: UUID, quantity: int) -> None:
        self.reserved -= quantity

    class Returned(Aggregate.Event):
        return_id: UUID
        quantity: int

    @event(Returned)
    def take_back(self, return_id: UUID, quantity: int) -> None:
        """A received return's units are on the shelf again."""
        self.on_hand += quantity

    class Committed(Aggregate.Event):
        order_id: UUID
        quantity: int

    def commit(self, order_id: UUID, quantity: int) -> None:
        """An order's held stock leaves the shelf (the order's lifecycle makes this happen once)."""
        self._check_held(quantity)
        self._commit(order_id=order_id, quantity=quantity)

    @event(Committed)
    def _commit(self, order_id: UUID, quantity: int) -> None:
        self.reserved -= quantity
        self.on_hand -= quantity

    def _check_available(self, quantity: int) -> None:
        if quantity > self.available:
            raise NegativeStockError(f"Only {self.available} available, not {quantity}.")

    def _check_held(self, quantity: int) -> None:
        if not 0 < quantity <= self.reserved:
            raise NegativeStockError(f"Only {self.reserved} held, cannot settle {quantity}.")
