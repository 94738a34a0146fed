"""The shop application's plumbing: loading, saving with bounded retries, ownership checks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import MutableOrImmutableAggregate
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import EnvType

from write_model.catalogue import Product, ProductNotFoundError, Store, StoreNotFoundError
from write_model.commands import Actor
from write_model.flash_sales import FlashSale
from write_model.inventory import StockItem
from write_model.logged import LoggedApplication
from write_model.orders import (
    TRANSCODINGS,
    Order,
    OrderNotFoundError,
    ValueAsDict,
    may_see_order,
)
from write_model.reservations import Reservation, ReservationNotFoundError
from write_model.returns import OrderReturn, ReturnNotFoundError, may_see_return
from write_model.visibility import check_manages, may_see


class ShopBase(LoggedApplication):
    """Stores, products, stock and orders live in one application: an order saves with its stock."""

    name = "shop"
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        StockItem: 200
    }
    """Stock items gain events with every order: a snapshot bounds a cold load."""

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        min_order_total: Decimal = Decimal("1.00"),
        return_window: timedelta = timedelta(days=30),
    ) -> None:
        super().__init__(env)
        self.min_order_total = min_order_total
        self.return_window = return_window

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in TRANSCODINGS:
            transcoder.register(transcoding)
        transcoder.register(ValueAsDict(FlashSale, "flash_sale"))

    def get_order(self, order_id: UUID) -> Order:
        order = self._find(Order, order_id)
        if order is None:
            raise OrderNotFoundError(f"Order {order_id} does not exist.")
        return order

    def visible_order(self, order_id: UUID, actor: Actor) -> tuple[Order, Store]:
        """The order and its store, if the actor may see it: to anyone else it does not exist."""
        order = self.get_order(order_id)
        store = self.get_store(order.store_id)
        if not may_see_order(actor, order, store):
            raise OrderNotFoundError(f"Order {order_id} does not exist.")
        return order, store

    def visible_reservation(self, reservation_id: UUID, actor: Actor) -> Reservation:
        """The reservation if it is the actor's, or the actor is an admin; to others, none."""
        reservation = self._find(Reservation, reservation_id)
        if reservation is None or not may_see(actor, reservation.user_id):
            raise ReservationNotFoundError(f"Reservation {reservation_id} does not exist.")
        return reservation

    def visible_return(self, return_id: UUID, actor: Actor) -> tuple[OrderReturn, Store]:
        """The return and its store, for its customer, the store's owner and admins; to anyone
        else it does not exist."""
        found = self.get_return(return_id)
        store = self.get_store(found.store_id)
        if not may_see_return(actor, found, store):
            raise ReturnNotFoundError(f"Return {return_id} does not exist.")
        return found, store

    def get_return(self, return_id: UUID) -> OrderReturn:
        found = self._find(OrderReturn, return_id)
        if found is None:
            raise ReturnNotFoundError(f"Return {return_id} does not exist.")
        return found

    def returns_of(self, order_id: UUID) -> list[OrderReturn]:
        """The order's returns, first first: they are numbered, so read until one is missing."""
        found: list[OrderReturn] = []
        while True:
            ids = [OrderReturn.create_id(order_id, len(found) + n) for n in range(1, 9)]
            batch = self._find_all(dict.fromkeys(ids, OrderReturn))
            for return_id in ids:
                if batch[return_id] is None:
                    return found
                found.append(batch[return_id])

    def get_store(self, store_id: UUID) -> Store:
        store = self._find(Store, store_id)
        if store is None:
            raise StoreNotFoundError(f"Store {store_id} does not exist.")
        return store

    def _owned_store(self, store_id: UUID, actor: Actor) -> Store:
        store = self.get_store(store_id)
        check_manages(actor, store.owner_id)
        return store

    def get_product(self, product_id: UUID) -> Product:
        product = self._find(Product, product_id)
        if product is None:
            raise ProductNotFoundError(f"Product {product_id} does not exist.")
        return product

    def _owned_product(self, product_id: UUID, actor: Actor) -> Product:
        product = self.get_product(product_id)
        self._owned_store(product.store_id, actor)
        return product
