"""Prose builders for tests: a shop, the people in it, its stores, products, stock and orders."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from write_model.catalogue import Location, Store
from write_model.commands import (
    Actor,
    AdjustStock,
    ListProduct,
    OrderItem,
    PlaceOrder,
    RegisterStore,
    ReserveStock,
)
from write_model.delivery import OpeningHours
from write_model.orders import Order
from write_model.shop import Shop

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
MIN_ORDER_TOTAL = Decimal("1.00")


def a_shop(env: Mapping[str, str] | None = None) -> Shop:
    """A shop on the in-memory event store, unless `env` names another one."""
    return Shop(env={**IN_MEMORY, **(env or {})}, min_order_total=MIN_ORDER_TOTAL)


def an_artisan() -> Actor:
    return Actor(user_id=uuid4(), role="artisan")


def a_customer() -> Actor:
    return Actor(user_id=uuid4(), role="customer")


def an_admin() -> Actor:
    return Actor(user_id=uuid4(), role="admin")


LYON = Location(city="Lyon", lat=45.76, lng=4.84)


def a_store_in(
    shop: Shop,
    owner: Actor,
    name: str = "Clay & Kiln",
    tax_rate: Decimal | None = None,
    **hours: Any,
) -> UUID:
    """A store in Lyon; `hours` may set its `timezone`, `opens_at` and `closes_at`."""
    store_id = uuid4()
    shop.register_store(
        RegisterStore(
            store_id=store_id,
            owner_id=owner.user_id,
            name=name,
            location=LYON,
            opening_hours=OpeningHours(**hours),
            tax_rate=tax_rate,
        )
    )
    return store_id


def an_old_store_registration(
    shop: Shop, owner: Actor, name: str = "Old Kiln", version: int = 1
) -> StoredEvent:
    """`Store.Registered` as `version` 1 or 2 stored it, field by field: v1 had no opening
    hours (nor `class_version` in its state), v2 added them (here 06:00-23:00 in Tokyo).

    Built with the shop's own transcoder (and compressor, if any) from a plain dict, the way
    the mapper wrote events then.
    """
    state: dict[str, Any] = {
        "timestamp": datetime.now(UTC),
        "originator_topic": get_topic(Store),
        "name": name,
        "owner_id": owner.user_id,
        "city": "Lyon",
        "lat": 45.76,
        "lng": 4.84,
        "delivery_radius_km": 10.0,
        "low_stock_threshold": 3,
    }
    if version == 2:
        state |= {"timezone": "Asia/Tokyo", "opens_at": 6, "closes_at": 23, "class_version": 2}
    encoded = shop.mapper.transcoder.encode(state)
    if shop.mapper.compressor is not None:
        encoded = shop.mapper.compressor.compress(encoded)
    return StoredEvent(
        originator_id=uuid4(),
        originator_version=1,
        topic=get_topic(Store.Registered),
        state=encoded,
    )


def a_product_in(
    shop: Shop, store_id: UUID, owner: Actor, price: str = "10.00", title: str = "Stoneware mug"
) -> UUID:
    product_id = uuid4()
    shop.list_product(
        ListProduct(
            product_id=product_id,
            store_id=store_id,
            title=title,
            description=f"A handmade {title.lower()}.",
            price=Decimal(price),
            category="pottery",
        ),
        owner,
    )
    return product_id


def stock_of(shop: Shop, store_id: UUID, product_id: UUID, owner: Actor, quantity: int) -> None:
    """Receive `quantity` of the product into the store."""
    shop.adjust_stock(
        AdjustStock(store_id=store_id, product_id=product_id, quantity=quantity), owner
    )


def an_order_request(
    store_id: UUID, user_id: UUID, items: Mapping[UUID, int], order_id: UUID | None = None
) -> PlaceOrder:
    return PlaceOrder(
        order_id=order_id or uuid4(),
        user_id=user_id,
        store_id=store_id,
        items=tuple(OrderItem(product_id=pid, quantity=qty) for pid, qty in items.items()),
    )


def an_order_for(
    shop: Shop,
    store_id: UUID,
    user_id: UUID,
    items: Mapping[UUID, int],
    order_id: UUID | None = None,
) -> Order:
    """Place an order the store can serve and return it, confirmed."""
    order: Order = shop.place_order(an_order_request(store_id, user_id, items, order_id)).aggregate
    return order


def a_hold_request(
    store_id: UUID,
    user_id: UUID,
    items: Mapping[UUID, int],
    minutes: int = 15,
    reservation_id: UUID | None = None,
) -> ReserveStock:
    return ReserveStock(
        reservation_id=reservation_id or uuid4(),
        user_id=user_id,
        store_id=store_id,
        items=tuple(OrderItem(product_id=pid, quantity=qty) for pid, qty in items.items()),
        minutes=minutes,
    )
