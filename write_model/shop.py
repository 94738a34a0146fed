"""Shop: catalogue, stock and order use cases; an order and its stock are saved together."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate, MutableOrImmutableAggregate
from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import EnvType

from write_model.application import BazaarApplication, Outcome
from write_model.audit import OrderAudit
from write_model.catalogue import (
    Product,
    ProductNotFoundError,
    Store,
    StoreNotFoundError,
    money,
)
from write_model.commands import (
    Actor,
    AdjustStock,
    ChangeOrderStatus,
    ChangeReturnStatus,
    ImportCatalogue,
    ListProduct,
    PlaceOrder,
    PlaceReservedOrder,
    RegisterStore,
    RequestReturn,
    ReserveStock,
    ReviseProduct,
    ScheduleDelivery,
    SetFlashSale,
    SetTaxRate,
)
from write_model.errors import (
    ConcurrentUpdateError,
    ConflictError,
    PermissionDeniedError,
    RuleViolationError,
)
from write_model.inventory import StockItem
from write_model.orders import (
    IdempotencyKeyReusedError,
    InsufficientStockError,
    Order,
    OrderLine,
    OrderNotFoundError,
    may_see_order,
    may_set_status,
)
from write_model.placement import Basket, merge_items, shortfalls
from write_model.reservations import Reservation, ReservationNotFoundError
from write_model.returns import (
    OrderReturn,
    ReturnNotFoundError,
    may_see_return,
    returnable_lines,
)
from write_model.text import checked
from write_model.transcodings import TRANSCODINGS
from write_model.visibility import check_manages, may_see


class Shop(BazaarApplication):
    """Stores, products, stock and orders live in one application: an order saves with its
    stock. Each use case loads, decides and saves."""

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
        self.audit = OrderAudit(self)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in TRANSCODINGS:
            transcoder.register(transcoding)

    def get_order(self, order_id: UUID) -> Order:
        return self._get(Order, order_id, OrderNotFoundError)

    def get_store(self, store_id: UUID) -> Store:
        return self._get(Store, store_id, StoreNotFoundError)

    def get_product(self, product_id: UUID) -> Product:
        return self._get(Product, product_id, ProductNotFoundError)

    def get_return(self, return_id: UUID) -> OrderReturn:
        return self._get(OrderReturn, return_id, ReturnNotFoundError, "Return")

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

    def _owned_store(self, store_id: UUID, actor: Actor) -> Store:
        store = self.get_store(store_id)
        check_manages(actor, store.owner_id)
        return store

    def _owned_product(self, product_id: UUID, actor: Actor) -> Product:
        product = self.get_product(product_id)
        self._owned_store(product.store_id, actor)
        return product

    def register_store(self, cmd: RegisterStore) -> Outcome[Store]:
        """The caller becomes the owner of a new store, open at valid hours in a known timezone."""
        checked("city", cmd.location.city)
        store = Store(
            id=cmd.store_id,
            name=checked("name", cmd.name),
            owner_id=cmd.owner_id,
            location=cmd.location,
            low_stock_threshold=cmd.low_stock_threshold,
            opening_hours=cmd.opening_hours,
        )
        store.set_tax_rate(cmd.tax_rate)
        return self._save(store)

    def set_tax_rate(self, cmd: SetTaxRate, actor: Actor) -> Outcome[Store]:
        """The store's owner (or an admin) sets the tax its prices include from now on."""
        store = self._owned_store(cmd.store_id, actor)
        store.set_tax_rate(cmd.tax_rate)
        return self._save(store)

    def list_product(self, cmd: ListProduct, actor: Actor) -> Outcome[Product]:
        """Only the store's owner (or an admin) lists products in it."""
        self._owned_store(cmd.store_id, actor)
        return self._save(_new_product(cmd))

    def import_catalogue(self, cmd: ImportCatalogue, actor: Actor) -> Outcome[Store]:
        """What `list_product` and `adjust_stock` do one at a time, for many products of one
        store: one read of all they touch and one save, all or nothing. A product already
        listed is a conflict, so an import that failed can be sent again as it was."""
        return self._retried(lambda: self._try_import(cmd, actor))

    def _try_import(self, cmd: ImportCatalogue, actor: Actor) -> Outcome[Store]:
        stock_ids = {
            a.product_id: StockItem.create_id(cmd.store_id, a.product_id) for a in cmd.stock
        }
        found = self._find_all(
            {cmd.store_id: Store}
            | {p.product_id: Product for p in cmd.products}
            | dict.fromkeys(stock_ids, Product)
            | dict.fromkeys(stock_ids.values(), StockItem)
        )
        store = found[cmd.store_id]
        if store is None:
            raise StoreNotFoundError(f"Store {cmd.store_id} does not exist.")
        check_manages(actor, store.owner_id)
        stores = {c.store_id for c in cmd.products} | {c.store_id for c in cmd.stock}
        if stores - {cmd.store_id}:
            raise RuleViolationError("An import lists and stocks products in its own store only.")
        changed: dict[UUID, Aggregate] = {}
        for listing in cmd.products:
            if found[listing.product_id] is not None:
                raise ConflictError(f"Product {listing.product_id} is listed already.")
            changed[listing.product_id] = found[listing.product_id] = _new_product(listing)
        for adjustment in cmd.stock:
            product = found[adjustment.product_id]
            if product is None:
                raise ProductNotFoundError(f"Product {adjustment.product_id} does not exist.")
            self._stockable(product, store, actor)
            item_id = stock_ids[adjustment.product_id]
            item = found[item_id] or StockItem(cmd.store_id, adjustment.product_id)
            item.adjust(adjustment.quantity, adjustment.reason)
            changed[item_id] = found[item_id] = item
        return self._save(store, *changed.values())

    def revise_product(self, cmd: ReviseProduct, actor: Actor) -> Outcome[Product]:
        """Change any of title, description, price and category of a listed product."""
        product = self._owned_product(cmd.product_id, actor)
        product.revise(
            title=cmd.title if cmd.title is not None else product.title,
            description=cmd.description if cmd.description is not None else product.description,
            price=cmd.price if cmd.price is not None else product.price,
            category=cmd.category if cmd.category is not None else product.category,
        )
        return self._save(product)

    def delist_product(self, product_id: UUID, actor: Actor) -> Outcome[Product]:
        """Take a product off sale; it stays in past orders."""
        product = self._owned_product(product_id, actor)
        product.delist()
        return self._save(product)

    def set_flash_sale(self, cmd: SetFlashSale, actor: Actor, now: datetime) -> Outcome[Product]:
        """Put a product on sale below its regular price for a window ending after `now`."""
        product = self._owned_product(cmd.product_id, actor)
        product.set_flash_sale(
            price=cmd.price, starts_at=cmd.starts_at, ends_at=cmd.ends_at, now=now
        )
        return self._save(product)

    def cancel_flash_sale(self, product_id: UUID, actor: Actor, now: datetime) -> Outcome[Product]:
        """End a product's flash sale at once; with none running or to come, records nothing."""
        product = self._owned_product(product_id, actor)
        product.cancel_flash_sale(now)
        return self._save(product)

    def adjust_stock(self, cmd: AdjustStock, actor: Actor) -> Outcome[StockItem]:
        """Receive or correct one product's stock in one store."""
        return self._retried(lambda: self._try_adjust(cmd, actor))

    def _try_adjust(self, cmd: AdjustStock, actor: Actor) -> Outcome[StockItem]:
        store = self._owned_store(cmd.store_id, actor)
        self._stockable(self.get_product(cmd.product_id), store, actor)
        item_id = StockItem.create_id(cmd.store_id, cmd.product_id)
        item = self._find(StockItem, item_id) or StockItem(cmd.store_id, cmd.product_id)
        item.adjust(cmd.quantity, cmd.reason)
        return self._save(item)

    def _stockable(self, product: Product, store: Store, actor: Actor) -> None:
        """Any store of the owner who listed the product may stock it; an admin, any store."""
        if product.store_id == store.id or actor.is_admin:
            return
        if self.get_store(product.store_id).owner_id != store.owner_id:
            raise PermissionDeniedError("A store stocks only products its owner listed.")

    def place_order(self, cmd: PlaceOrder, now: datetime | None = None) -> Outcome[Order]:
        """All or nothing: confirmed with every line held, or recorded as rejected and refused.

        Lines are priced as at `now` (the caller's clock; default: this one's), so a flash
        sale applies to orders placed inside its window. A concurrent change to the same
        stock retries the whole decision; a repeated order id returns the first outcome (or
        refuses it again). The order id is read with the store, the products and their stock
        in one query. Any listed product may be ordered from any store; one the store does
        not stock is short by every unit.
        """
        basket, moment = Basket.of(cmd.store_id, cmd.items), now or datetime.now(UTC)
        outcome = self._retried(
            lambda: self._try_place(cmd, basket, moment), contended=basket.stock_ids.values()
        )
        if outcome.aggregate.status == "rejected":
            raise InsufficientStockError.of(outcome)
        return outcome

    def _try_place(self, cmd: PlaceOrder, basket: Basket, now: datetime) -> Outcome[Order]:
        found = self._find_all({cmd.order_id: Order} | basket.wanted())
        if (earlier := found[cmd.order_id]) is not None:
            basket.check_repeat(earlier, cmd.user_id, "order")
            return self._unchanged(earlier)
        lines, stock = basket.priced(found, self.min_order_total, now)
        order = Order(
            id=cmd.order_id,
            user_id=cmd.user_id,
            store_id=cmd.store_id,
            lines=lines,
            tax_rate=found[cmd.store_id].tax_rate,
        )
        missing = shortfalls(lines, stock)
        if missing:
            order.reject("insufficient_stock", missing)
            return self._save(order)
        for line in lines:
            item = stock[line.product_id]
            if item is not None:
                item.reserve(order.id, line.quantity)
        order.confirm()
        return self._save(order, *stock.values())

    def change_order_status(self, cmd: ChangeOrderStatus, actor: Actor) -> Outcome[Order]:
        """Move an order along its lifecycle, saved with its stock in one transaction.

        Cancelling releases the held stock, shipping takes it off the shelf. Checked in
        this order: a stranger finds no order (404), the same status again records nothing,
        a status the lifecycle does not allow is a conflict (409), and only then who may do
        it (`may_set_status`, 403).
        """
        return self._retried(lambda: self._try_change_status(cmd, actor))

    def _try_change_status(self, cmd: ChangeOrderStatus, actor: Actor) -> Outcome[Order]:
        order, store = self.visible_order(cmd.order_id, actor)
        if not order.is_move_to(cmd.status):
            return self._unchanged(order)
        if not may_set_status(actor, order, store, cmd.status):
            raise PermissionDeniedError(f"You may not set this order to {cmd.status}.")
        order.change_status(cmd.status, by=actor.user_id)
        return self._save(order, *self._settle_stock(order))

    def _settle_stock(self, order: Order) -> list[StockItem]:
        """Release (cancelled) or commit (shipped) the stock the order's lines hold."""
        if order.status not in ("cancelled", "shipped"):
            return []
        settle = StockItem.release if order.status == "cancelled" else StockItem.commit
        return self._moved_stock(
            order.store_id, order.lines, lambda item, qty: settle(item, order.id, qty)
        )

    def _moved_stock(
        self,
        store_id: UUID,
        lines: Iterable[OrderLine],
        move: Callable[[StockItem, int], None],
    ) -> list[StockItem]:
        """The store's stock item of each line, read in one query, with `move` applied to
        its quantity; a missing one means someone changed the stock meanwhile."""
        lines = list(lines)
        ids = [StockItem.create_id(store_id, line.product_id) for line in lines]
        found = self._find_all(dict.fromkeys(ids, StockItem))
        moved = []
        for line, item_id in zip(lines, ids, strict=True):
            item = found[item_id]
            if item is None:
                raise ConcurrentUpdateError(f"Stock of {line.product_id} is missing.")
            move(item, line.quantity)
            moved.append(item)
        return moved

    def record_shipment_notified(self, order_id: UUID) -> Outcome[Order]:
        """The shipping saga's success; repeating it records nothing."""

        def attempt() -> Outcome[Order]:
            order = self.get_order(order_id)
            order.record_shipment_notified()
            return self._save(order)

        return self._retried(attempt)

    def record_shipment_notification_failed(self, order_id: UUID, reason: str) -> Outcome[Order]:
        """The shipping saga gave up: the order's history says so (the reason obeys the text
        rule: the saga scrubs what it was told)."""
        checked("reason", reason, multiline=True)

        def attempt() -> Outcome[Order]:
            order = self.get_order(order_id)
            order.record_shipment_notification_failed(reason)
            return self._save(order)

        return self._retried(attempt)

    def schedule_delivery(
        self, cmd: ScheduleDelivery, actor: Actor, now: datetime
    ) -> Outcome[Order]:
        """Book or move an order's delivery to a future slot within the store's opening hours.

        The customer, the store's owner and admins may; to anyone else the order does not
        exist. `now` is the caller's clock. The same booking again records nothing.
        """
        return self._retried(lambda: self._try_schedule_delivery(cmd, actor, now))

    def _try_schedule_delivery(
        self, cmd: ScheduleDelivery, actor: Actor, now: datetime
    ) -> Outcome[Order]:
        order, store = self.visible_order(cmd.order_id, actor)
        scheduled = order.schedule_delivery(
            address=cmd.address,
            slot_start=cmd.slot_start,
            hours=store.opening_hours,
            now=now,
            by=actor.user_id,
        )
        return self._save(order) if scheduled else self._unchanged(order)

    def reserve_stock(self, cmd: ReserveStock, now: datetime | None = None) -> Outcome[Reservation]:
        """Hold every line's units until `cmd.minutes` after `now`, or nothing.

        The lines are priced and checked as an order's; short stock is refused with the
        shortfalls and records nothing. A repeated reservation id returns the first outcome.
        """
        basket, now = Basket.of(cmd.store_id, cmd.items), now or datetime.now(UTC)
        expires_at = Reservation.expiry(now, cmd.minutes)
        return self._retried(
            lambda: self._try_reserve(cmd, basket, (now, expires_at)),
            contended=basket.stock_ids.values(),
        )

    def _try_reserve(
        self, cmd: ReserveStock, basket: Basket, window: tuple[datetime, datetime]
    ) -> Outcome[Reservation]:
        found = self._find_all({cmd.reservation_id: Reservation} | basket.wanted())
        if (earlier := found[cmd.reservation_id]) is not None:
            basket.check_repeat(earlier, cmd.user_id, "reservation")
            return self._unchanged(earlier)
        now, expires_at = window
        lines, stock = basket.priced(found, self.min_order_total, now)
        missing = shortfalls(lines, stock)
        if missing:
            raise InsufficientStockError.short_of(missing)
        reservation = Reservation(
            id=cmd.reservation_id,
            user_id=cmd.user_id,
            store_id=cmd.store_id,
            lines=lines,
            expires_at=expires_at,
        )
        for line in lines:
            cast(StockItem, stock[line.product_id]).hold(reservation.id, line.quantity)
        return self._save(reservation, *stock.values())

    def place_reserved_order(
        self, cmd: PlaceReservedOrder, now: datetime | None = None
    ) -> Outcome[Order]:
        """The order of what a held reservation holds, confirmed at once: the units are the
        order's now, at the reservation's prices and the store's tax rate now. A repeated
        order id returns that order; a reservation no longer held (or past its time at `now`)
        is a conflict."""
        return self._retried(lambda: self._try_place_reserved(cmd, now or datetime.now(UTC)))

    def _try_place_reserved(self, cmd: PlaceReservedOrder, now: datetime) -> Outcome[Order]:
        found = self._find_all({cmd.reservation_id: Reservation, cmd.order_id: Order})
        reservation: Reservation | None = found[cmd.reservation_id]
        if reservation is None or reservation.user_id != cmd.user_id:
            raise ReservationNotFoundError(f"Reservation {cmd.reservation_id} does not exist.")
        if (earlier := found[cmd.order_id]) is not None:
            if reservation.order_id != earlier.id:
                raise IdempotencyKeyReusedError("This idempotency key was used for another order.")
            return self._unchanged(earlier)
        reservation.check_held(now)
        order = Order(
            id=cmd.order_id,
            user_id=cmd.user_id,
            store_id=reservation.store_id,
            lines=reservation.lines,
            tax_rate=self.get_store(reservation.store_id).tax_rate,
        )
        order.confirm()
        reservation.convert(order.id)
        return self._save(order, reservation)

    def release_reservation(self, reservation_id: UUID, actor: Actor) -> Outcome[Reservation]:
        """Give the held units back now; a reservation no longer held stays as it is."""

        def attempt() -> Outcome[Reservation]:
            reservation = self.visible_reservation(reservation_id, actor)
            if reservation.status != "held":
                return self._unchanged(reservation)
            reservation.release(by=actor.user_id)
            return self._save(reservation, *self._unheld(reservation))

        return self._retried(attempt)

    def expire_reservation(self, reservation_id: UUID, now: datetime) -> Outcome[Reservation]:
        """Release a reservation whose time has come at `now`; any other stays as it is (the
        expiry may come before its time on a skewed clock, or after a conversion)."""

        def attempt() -> Outcome[Reservation]:
            reservation = self._find(Reservation, reservation_id)
            if reservation is None:
                raise ReservationNotFoundError(f"Reservation {reservation_id} does not exist.")
            if not reservation.is_due(now):
                return self._unchanged(reservation)
            reservation.expire()
            return self._save(reservation, *self._unheld(reservation))

        return self._retried(attempt)

    def _unheld(self, reservation: Reservation) -> list[StockItem]:
        """The stock items with the reservation's units given back."""
        return self._moved_stock(
            reservation.store_id,
            reservation.lines,
            lambda item, qty: item.release_hold(reservation.id, qty),
        )

    def request_return(
        self, cmd: RequestReturn, actor: Actor, now: datetime | None = None
    ) -> Outcome[OrderReturn]:
        """The order's customer sends back some of what was delivered, within the window
        after delivery (`now`: the caller's clock), never more than is left to return."""
        quantities = merge_items(cmd.items)
        reason = checked("reason", cmd.reason, multiline=True)
        moment = now or datetime.now(UTC)
        return self._retried(
            lambda: self._try_request_return(cmd, quantities, reason, actor, moment)
        )

    def _try_request_return(
        self,
        cmd: RequestReturn,
        quantities: dict[UUID, int],
        reason: str,
        actor: Actor,
        now: datetime,
    ) -> Outcome[OrderReturn]:
        order, _ = self.visible_order(cmd.order_id, actor)
        if order.user_id != actor.user_id:
            raise PermissionDeniedError("Only the order's customer may return it.")
        earlier = self.returns_of(order.id)
        lines = returnable_lines(order, earlier, quantities, now, self.return_window)
        order_return = OrderReturn(
            id=OrderReturn.create_id(order.id, len(earlier) + 1),
            order_id=order.id,
            store_id=order.store_id,
            user_id=order.user_id,
            lines=lines,
            reason=reason,
        )
        return self._save(order_return)

    def change_return_status(self, cmd: ChangeReturnStatus, actor: Actor) -> Outcome[OrderReturn]:
        """The store's owner (or an admin) receives a return, its units back on the shelf in
        the same transaction, or refuses it with a reason. The same status again records
        nothing; a return already settled is a conflict."""
        return self._retried(lambda: self._try_change_return(cmd, actor))

    def _try_change_return(self, cmd: ChangeReturnStatus, actor: Actor) -> Outcome[OrderReturn]:
        order_return, store = self.visible_return(cmd.return_id, actor)
        if cmd.status == order_return.status:
            return self._unchanged(order_return)
        order_return.check_move_to(cmd.status)
        check_manages(actor, store.owner_id, "settle a return")
        if cmd.status == "refused":
            order_return.refuse(by=actor.user_id, reason=cmd.reason or "")
            return self._save(order_return)
        order_return.receive(by=actor.user_id)
        return self._save(order_return, *self._taken_back(order_return))

    def _taken_back(self, order_return: OrderReturn) -> list[StockItem]:
        """The stock items with a received return's units back on the shelf."""
        return self._moved_stock(
            order_return.store_id,
            order_return.lines,
            lambda item, qty: item.take_back(order_return.id, qty),
        )


def _new_product(cmd: ListProduct) -> Product:
    return Product(
        id=cmd.product_id,
        store_id=cmd.store_id,
        title=checked("title", cmd.title),
        description=checked("description", cmd.description, multiline=True),
        price=money(cmd.price),
        category=checked("category", cmd.category),
    )
