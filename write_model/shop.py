"""Shop: catalogue, stock and order use cases; an order and its stock are saved together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, MutableOrImmutableAggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder
from eventsourcing.utils import EnvType

from write_model.catalogue import Product, Store, money
from write_model.commands import (
    Actor,
    AdjustStock,
    ChangeOrderStatus,
    ListProduct,
    PlaceOrder,
    RegisterStore,
    ReviseProduct,
    ScheduleDelivery,
)
from write_model.delivery import OpeningHours
from write_model.errors import (
    ConcurrentUpdateError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from write_model.history import (
    InvalidAsOfError,
    OrderEventRecord,
    check_version,
    history_of,
    version_at,
)
from write_model.inventory import StockItem
from write_model.orders import (
    TRANSCODINGS,
    InsufficientStockError,
    Order,
)
from write_model.placement import (
    OrderTotalTooLowError,
    UnknownProductError,
    merge_items,
    price_lines,
    shortfalls,
)

A = TypeVar("A", bound=Aggregate)
MAX_ATTEMPTS = 5


class StoreNotFoundError(NotFoundError):
    """Raised when a command names a store that does not exist."""

    code = "store_not_found"


class ProductNotFoundError(NotFoundError):
    """Raised when a command names a product that does not exist."""

    code = "product_not_found"


class OrderNotFoundError(NotFoundError):
    """Raised when an order does not exist or the caller may not see it."""

    code = "order_not_found"


class IdempotencyKeyReusedError(ConflictError):
    """Raised when an idempotency key comes back with a different order."""

    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a command changed, and the log position at which read models will show it."""

    aggregate: Any
    position: int


def may_see_order(actor: Actor, order: Order, store: Store) -> bool:
    """The customer who placed it, the store's owner and admins."""
    return actor.is_admin or actor.user_id in (order.user_id, store.owner_id)


def may_set_status(actor: Actor, order: Order, store: Store, status: str) -> bool:
    """The customer may cancel; the store's owner moves it forward; an admin does both."""
    if actor.is_admin:
        return True
    if status == "cancelled":
        return actor.user_id == order.user_id
    return actor.user_id == store.owner_id


class Shop(Application[UUID]):
    """Stores, products, stock and orders: the aggregates one order placement touches."""

    name = "shop"
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        StockItem: 200
    }
    """Stock items gain events with every order: a snapshot bounds a cold load."""

    def __init__(
        self, env: EnvType | None = None, *, min_order_total: Decimal = Decimal("1.00")
    ) -> None:
        super().__init__(env)
        self.min_order_total = min_order_total

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in TRANSCODINGS:
            transcoder.register(transcoding)

    def register_store(self, cmd: RegisterStore) -> Outcome:
        """The caller becomes the owner of a new store, open at valid hours in a known timezone."""
        hours = OpeningHours(timezone=cmd.timezone, opens_at=cmd.opens_at, closes_at=cmd.closes_at)
        store = Store(
            id=cmd.store_id,
            name=cmd.name,
            owner_id=cmd.owner_id,
            city=cmd.city,
            lat=cmd.lat,
            lng=cmd.lng,
            delivery_radius_km=cmd.delivery_radius_km,
            low_stock_threshold=cmd.low_stock_threshold,
            timezone=hours.timezone,
            opens_at=hours.opens_at,
            closes_at=hours.closes_at,
        )
        return self._save(store)

    def list_product(self, cmd: ListProduct, actor: Actor) -> Outcome:
        """Only the store's owner (or an admin) lists products in it."""
        self._owned_store(cmd.store_id, actor)
        product = Product(
            id=cmd.product_id,
            store_id=cmd.store_id,
            title=cmd.title,
            description=cmd.description,
            price=money(cmd.price),
            category=cmd.category,
        )
        return self._save(product)

    def revise_product(self, cmd: ReviseProduct, actor: Actor) -> Outcome:
        """Change any of title, description, price and category of a listed product."""
        product = self._owned_product(cmd.product_id, actor)
        product.revise(
            title=cmd.title if cmd.title is not None else product.title,
            description=cmd.description if cmd.description is not None else product.description,
            price=cmd.price if cmd.price is not None else product.price,
            category=cmd.category if cmd.category is not None else product.category,
        )
        return self._save(product)

    def delist_product(self, product_id: UUID, actor: Actor) -> Outcome:
        """Take a product off sale; it stays in past orders."""
        product = self._owned_product(product_id, actor)
        product.delist()
        return self._save(product)

    def adjust_stock(self, cmd: AdjustStock, actor: Actor) -> Outcome:
        """Receive or correct one product's stock in one store."""
        return self._retried(lambda: self._try_adjust(cmd, actor))

    def _try_adjust(self, cmd: AdjustStock, actor: Actor) -> Outcome:
        self._owned_store(cmd.store_id, actor)
        product = self._find(Product, cmd.product_id)
        if product is None or product.store_id != cmd.store_id:
            raise ProductNotFoundError(f"Store {cmd.store_id} lists no product {cmd.product_id}.")
        item_id = StockItem.create_id(cmd.store_id, cmd.product_id)
        item = self._find(StockItem, item_id) or StockItem(cmd.store_id, cmd.product_id)
        item.adjust(cmd.quantity, cmd.reason)
        return self._save(item)

    def place_order(self, cmd: PlaceOrder) -> Outcome:
        """All or nothing: confirmed with every line held, or recorded as rejected and refused.

        A concurrent change to the same stock retries the whole decision; a repeated
        order id returns the first outcome (or refuses it again). The happy path reads
        only the products and their stock: the store and an earlier order are looked up
        when something is amiss.
        """
        quantities = merge_items(cmd.items)
        try:
            outcome = self._place(cmd, quantities)
        except (UnknownProductError, OrderTotalTooLowError):
            if (existing := self._find(Order, cmd.order_id)) is None:
                self._store(cmd.store_id)
                raise
            outcome = self._repeat_of(existing, cmd, quantities)
        if outcome.aggregate.status == "rejected":
            raise InsufficientStockError.of(outcome.aggregate, outcome.position)
        return outcome

    def change_order_status(self, cmd: ChangeOrderStatus, actor: Actor) -> Outcome:
        """Move an order along its lifecycle, saved with its stock in one transaction.

        Cancelling releases the held stock, shipping takes it off the shelf; the same
        status again records nothing. Who may do what: see `may_set_status`.
        """
        return self._retried(lambda: self._try_change_status(cmd, actor))

    def _try_change_status(self, cmd: ChangeOrderStatus, actor: Actor) -> Outcome:
        order = self.get_order(cmd.order_id)
        store = self._store(order.store_id)
        if not may_see_order(actor, order, store):
            raise OrderNotFoundError(f"Order {cmd.order_id} does not exist.")
        if not may_set_status(actor, order, store, cmd.status):
            raise PermissionDeniedError(f"You may not set this order to {cmd.status}.")
        if not order.change_status(cmd.status, by=actor.user_id):
            return Outcome(order, self.position())
        return self._save(order, *self._settle_stock(order))

    def _settle_stock(self, order: Order) -> list[StockItem]:
        """Release (cancelled) or commit (shipped) the stock the order's lines hold."""
        if order.status not in ("cancelled", "shipped"):
            return []
        held = []
        for line in order.lines:
            item = self._find(StockItem, StockItem.create_id(order.store_id, line.product_id))
            if item is None:
                raise ConcurrentUpdateError(f"Stock of {line.product_id} is missing.")
            settle = item.release if order.status == "cancelled" else item.commit
            settle(order.id, line.quantity)
            held.append(item)
        return held

    def schedule_delivery(self, cmd: ScheduleDelivery, actor: Actor, now: datetime) -> Outcome:
        """Book or move an order's delivery to a future slot within the store's opening hours.

        The customer, the store's owner and admins may; to anyone else the order does not
        exist. `now` is the caller's clock. The same booking again records nothing.
        """
        return self._retried(lambda: self._try_schedule_delivery(cmd, actor, now))

    def _try_schedule_delivery(self, cmd: ScheduleDelivery, actor: Actor, now: datetime) -> Outcome:
        order = self.get_order(cmd.order_id)
        store = self._store(order.store_id)
        if not may_see_order(actor, order, store):
            raise OrderNotFoundError(f"Order {cmd.order_id} does not exist.")
        scheduled = order.schedule_delivery(
            address=cmd.address,
            slot_start=cmd.slot_start,
            hours=store.opening_hours,
            now=now,
            by=actor.user_id,
        )
        return self._save(order) if scheduled else Outcome(order, self.position())

    def get_order(self, order_id: UUID) -> Order:
        order = self._find(Order, order_id)
        if order is None:
            raise OrderNotFoundError(f"Order {order_id} does not exist.")
        return order

    def order_history(self, order_id: UUID, actor: Actor) -> list[OrderEventRecord]:
        """Every recorded event of the order, oldest first: the audit trail, never the read model.

        Only those who may see the order may read it; to anyone else it does not exist.
        """
        self._visible_order(order_id, actor)
        return history_of(self._order_events(order_id))

    def order_as_of(
        self,
        order_id: UUID,
        actor: Actor,
        *,
        version: int | None = None,
        at: datetime | None = None,
    ) -> Order:
        """The order exactly as it was at `version`, or at time `at`, replayed from its events.

        A time picks the last version recorded at or before it; a time before the order
        existed is `OrderNotFoundError`. A version below 1 breaks a rule (`InvalidVersionError`),
        one the order has not reached is missing (`VersionNotFoundError`); both at once, or a
        time with no UTC offset, is `InvalidAsOfError`. Neither: the order as it is now.
        """
        order = self._visible_order(order_id, actor)
        if version is not None and at is not None:
            raise InvalidAsOfError("Give as_of_version or as_of, not both.")
        if at is not None:
            version = self._version_at(order_id, at)
        if version is None:
            return order
        check_version(version, order.version)
        replayed: Order = self.repository.get(order_id, version=version)
        return replayed

    def _visible_order(self, order_id: UUID, actor: Actor) -> Order:
        """The order, if the actor may see it: to anyone else it does not exist."""
        order = self.get_order(order_id)
        if not may_see_order(actor, order, self._store(order.store_id)):
            raise OrderNotFoundError(f"Order {order_id} does not exist.")
        return order

    def _version_at(self, order_id: UUID, at: datetime) -> int:
        version = version_at(self._order_events(order_id), at)
        if version is None:
            raise OrderNotFoundError(f"Order {order_id} did not exist at {at.isoformat()}.")
        return version

    def _order_events(self, order_id: UUID) -> list[Aggregate.Event]:
        return cast("list[Aggregate.Event]", list(self.events.get(order_id)))

    def _place(self, cmd: PlaceOrder, quantities: dict[UUID, int]) -> Outcome:
        def earlier() -> Outcome | None:
            order = self._find(Order, cmd.order_id)
            return self._repeat_of(order, cmd, quantities) if order is not None else None

        return self._retried(lambda: self._try_place(cmd, quantities), earlier)

    def _retried(
        self,
        attempt: Callable[[], Outcome],
        on_conflict: Callable[[], Outcome | None] = lambda: None,
    ) -> Outcome:
        """Decide again after a version conflict (someone saved the same aggregate first)."""
        for _ in range(MAX_ATTEMPTS):
            try:
                return attempt()
            except IntegrityError:
                if (earlier := on_conflict()) is not None:
                    return earlier
        raise ConcurrentUpdateError("Others changed the same records meanwhile; please retry.")

    def _try_place(self, cmd: PlaceOrder, quantities: dict[UUID, int]) -> Outcome:
        products = {pid: self._find(Product, pid) for pid in quantities}
        products = {
            pid: p if p and p.store_id == cmd.store_id else None for pid, p in products.items()
        }
        lines = price_lines(quantities, products, self.min_order_total)
        stock = {
            pid: self._find(StockItem, StockItem.create_id(cmd.store_id, pid)) for pid in quantities
        }
        order = Order(id=cmd.order_id, user_id=cmd.user_id, store_id=cmd.store_id, lines=lines)
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

    def _repeat_of(self, order: Order, cmd: PlaceOrder, quantities: dict[UUID, int]) -> Outcome:
        asked = {line.product_id: line.quantity for line in order.lines}
        if order.user_id != cmd.user_id or order.store_id != cmd.store_id or asked != quantities:
            raise IdempotencyKeyReusedError("This idempotency key was used for another order.")
        return Outcome(order, self.position())

    def _store(self, store_id: UUID) -> Store:
        store = self._find(Store, store_id)
        if store is None:
            raise StoreNotFoundError(f"Store {store_id} does not exist.")
        return store

    def _owned_store(self, store_id: UUID, actor: Actor) -> Store:
        store = self._store(store_id)
        if not actor.is_admin and store.owner_id != actor.user_id:
            raise PermissionDeniedError("Only the store's owner or an admin may do this.")
        return store

    def _owned_product(self, product_id: UUID, actor: Actor) -> Product:
        product = self._find(Product, product_id)
        if product is None:
            raise ProductNotFoundError(f"Product {product_id} does not exist.")
        self._owned_store(product.store_id, actor)
        return product

    def _find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, kind) else None

    def _save(self, *aggregates: Aggregate | None) -> Outcome:
        recordings = self.save(*aggregates)
        position = recordings[-1].notification.id if recordings else self.position()
        return Outcome(aggregates[0], position)

    def position(self) -> int:
        """The head of the shop's event log: read models at this point show every change."""
        return self.recorder.max_notification_id() or 0
