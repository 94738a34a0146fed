"""Placing orders and reading one's own."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from typing import Annotated, cast
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from fastapi import Depends, Header, Query, Response

from api.answers import cache_said
from api.dependencies import CurrentUser, Paging, ServicesDep, read_sql
from api.errors import ApiError
from api.read_your_writes import answer_position, read_after
from api.routing import routes
from api.schemas.common import PageOf, SafeText
from api.schemas.orders import (
    OrderIn,
    OrderOut,
    OrderSummaryOut,
    StatusIn,
    order_out,
    order_view,
)
from read_model.sql import catalogue, orders
from write_model.commands import (
    Actor,
    ChangeOrderStatus,
    OrderItem,
    PlaceOrder,
    PlaceReservedOrder,
)
from write_model.visibility import may_see

router = routes("orders")
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
    return order_out(order_view(outcome.aggregate))


@router.patch("/api/orders/{order_id}")
def change_status(
    order_id: UUID, body: StatusIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> OrderOut:
    """Move an order along its lifecycle (store owner, admin), or cancel it (customer, admin)."""
    cmd = ChangeOrderStatus(order_id=order_id, status=body.status)
    outcome = services.shop.change_order_status(cmd, actor)
    answer_position(response, outcome)
    return order_out(order_view(outcome.aggregate))


@router.get("/api/orders", dependencies=[OrdersRead])
def my_orders(actor: CurrentUser, services: ServicesDep, paging: Paging) -> PageOf[OrderSummaryOut]:
    """The caller's own orders, newest first."""
    page = orders.list_orders(services.pool, paging, orders.OrderFilter(user_id=actor.user_id))
    return PageOf[OrderSummaryOut].model_validate(page, from_attributes=True)


@router.get("/api/orders/{order_id}")
def get_order(
    order_id: UUID,
    actor: CurrentUser,
    services: ServicesDep,
    target: Annotated[int | None, OrderRead],
    response: Response,
    as_of_version: Annotated[int | None, Query(description=AS_OF_VERSION)] = None,
    as_of: Annotated[datetime | None, Query(description=AS_OF)] = None,
) -> OrderOut:
    """One order (customer, store owner, admins); with as_of*, replayed from the event store."""
    if as_of_version is not None or as_of is not None:
        replayed = services.shop.audit.order_as_of(order_id, actor, version=as_of_version, at=as_of)
        return order_out(order_view(replayed))
    query = partial(orders.get_order, services.pool, order_id)
    found = services.query_cache.order(
        order_id, target, partial(read_sql, services, orders.VIEW, query)
    )
    cache_said(response, found.hit)
    if found.value is None or not may_see_view(actor, found.value, services):
        raise ApiError(404, "order_not_found", f"Order {order_id} does not exist.")
    return order_out(found.value)


def may_see_view(actor: Actor, order: orders.OrderView, services: ServicesDep) -> bool:
    """Checked on every read, cached or not: the cache holds the order, never who may see it.
    The store is looked up only when the order is not the caller's own."""
    if may_see(actor, order.user_id):
        return True
    store = catalogue.get_store(services.pool, order.store_id)
    return store is not None and may_see(actor, order.user_id, store.owner_id)
