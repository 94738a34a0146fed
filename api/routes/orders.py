"""Placing orders and reading one's own."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, cast
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from fastapi import APIRouter, Depends, Header, Query, Response

from api.dependencies import CurrentUser, Paging, ServicesDep, read_sql
from api.errors import ApiError
from api.read_your_writes import ShopPosition, answer_position, read_after
from api.routing import OneHopRoute
from api.schemas.common import PageOf, SafeText
from api.schemas.orders import (
    DeliveryOut,
    LineOut,
    OrderIn,
    OrderOut,
    OrderSummaryOut,
    StatusIn,
)
from read_model.sql import catalogue, orders
from write_model.commands import (
    Actor,
    ChangeOrderStatus,
    OrderItem,
    PlaceOrder,
    PlaceReservedOrder,
)
from write_model.delivery import delivery_status
from write_model.orders import Order

router = APIRouter(tags=["orders"], route_class=OneHopRoute)
OrdersRead = Depends(read_after(orders.VIEW))
OrderRead = Depends(read_after(orders.VIEW, catalogue.VIEW))
IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:order-idempotency-key")
AS_OF_VERSION = (
    "The order as it was at this version (1 = placed): below 1 is 400 invalid_version, "
    "beyond the current version 404 version_not_found."
)
AS_OF = (
    "The order as it was at this time (ISO 8601 with Z or an offset, else 400 invalid_as_of); "
    "before the order existed 404 order_not_found. Not together with as_of_version (400)."
)


def order_out(order: Order | orders.OrderView) -> OrderOut:
    lines = order.lines if isinstance(order, Order) else order.items
    return OrderOut(
        id=order.id,
        store_id=order.store_id,
        user_id=order.user_id,
        status=order.status,
        items=[LineOut.model_validate(line, from_attributes=True) for line in lines],
        total_price=order.total_price,
        created_at=order.created_on if isinstance(order, Order) else order.created_at,
        delivery=delivery_out(order),
    )


def delivery_out(order: Order | orders.OrderView) -> DeliveryOut | None:
    """The booked delivery, if any; its status follows the order's (see `delivery_status`)."""
    if isinstance(order, Order):
        booked = order.delivery
        address, slot_start = (booked.address, booked.slot_start) if booked else (None, None)
    else:
        address, slot_start = order.delivery_address, order.delivery_slot_start
    if address is None or slot_start is None:
        return None
    return DeliveryOut(address=address, slot_start=slot_start, status=delivery_status(order.status))


@router.post("/api/orders", status_code=201)
def place_order(
    body: OrderIn,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[SafeText | None, Header(max_length=200)] = None,
) -> OrderOut:
    """Place an order at one store: all lines held, or 400 with the shortfalls. Or order a
    held reservation: it cannot fall short, and an ended one is 409 `reservation_not_held`."""
    order_id = (
        uuid5(IDEMPOTENCY_NAMESPACE, f"{actor.user_id}/{idempotency_key}")
        if idempotency_key
        else uuid4()
    )
    now = datetime.now(UTC)
    if body.reservation_id is not None:
        reserved = PlaceReservedOrder(
            order_id=order_id, user_id=actor.user_id, reservation_id=body.reservation_id
        )
        outcome = services.shop.place_reserved_order(reserved, now)
    else:
        items = tuple(
            OrderItem(product_id=i.product_id, quantity=i.quantity) for i in body.items or ()
        )
        cmd = PlaceOrder(
            order_id=order_id,
            user_id=actor.user_id,
            store_id=cast(UUID, body.store_id),
            items=items,
        )
        outcome = services.shop.place_order(cmd, now=now)
    answer_position(response, outcome, created=f"/api/orders/{order_id}")
    return order_out(outcome.aggregate)


@router.patch("/api/orders/{order_id}")
def change_status(
    order_id: UUID, body: StatusIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> OrderOut:
    """Move an order along its lifecycle (store owner, admin), or cancel it (customer, admin)."""
    cmd = ChangeOrderStatus(order_id=order_id, status=body.status)
    outcome = services.shop.change_order_status(cmd, actor)
    answer_position(response, outcome)
    return order_out(outcome.aggregate)


@router.get("/api/orders", dependencies=[OrdersRead])
def my_orders(actor: CurrentUser, services: ServicesDep, paging: Paging) -> PageOf[OrderSummaryOut]:
    """The caller's own orders, newest first."""
    page = orders.list_orders(services.pool, paging, orders.OrderFilter(user_id=actor.user_id))
    return PageOf[OrderSummaryOut].model_validate(page, from_attributes=True)


@router.get("/api/orders/{order_id}", dependencies=[OrderRead])
def get_order(
    order_id: UUID,
    actor: CurrentUser,
    services: ServicesDep,
    target: ShopPosition,
    response: Response,
    as_of_version: Annotated[int | None, Query(description=AS_OF_VERSION)] = None,
    as_of: Annotated[datetime | None, Query(description=AS_OF)] = None,
) -> OrderOut:
    """One order (customer, store owner, admins); with as_of*, replayed from the event store."""
    if as_of_version is not None or as_of is not None:
        replayed = services.shop.audit.order_as_of(order_id, actor, version=as_of_version, at=as_of)
        return order_out(replayed)
    query = partial(orders.get_order, services.pool, order_id)
    found = services.query_cache.order(
        order_id, target, partial(read_sql, services, orders.VIEW, query)
    )
    response.headers["X-Cache"] = "HIT" if found.hit else "MISS"
    if found.value is None or not may_see(actor, found.value, services):
        raise ApiError(404, "order_not_found", f"Order {order_id} does not exist.")
    return order_out(found.value)


def may_see(actor: Actor, order: orders.OrderView, services: ServicesDep) -> bool:
    """Checked on every read, cached or not: the cache holds the order, never who may see it."""
    if actor.is_admin or order.user_id == actor.user_id:
        return True
    store = catalogue.get_store(services.pool, order.store_id)
    return store is not None and store.owner_id == actor.user_id
