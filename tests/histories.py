"""Events written by hand with chosen timestamps, so a view's answer can be worked out on paper."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.utils import get_topic

from write_model.catalogue import Product
from write_model.inventory import StockItem
from write_model.orders import Order, OrderLine

CREATED_BY: dict[type[Any], type[Any]] = {
    Product.Listed: Product,
    Order.Placed: Order,
    StockItem.Opened: StockItem,
}
"""The aggregate each creation event makes (its topic goes into the event)."""


@dataclass
class History:
    """Events of one store, numbered per aggregate as the event store would."""

    store_id: UUID = field(default_factory=uuid4)
    versions: dict[UUID, int] = field(default_factory=dict)
    events: list[Any] = field(default_factory=list)

    def add(self, kind: type[Any], aggregate_id: UUID, at: datetime, **data: Any) -> None:
        version = self.versions[aggregate_id] = self.versions.get(aggregate_id, 0) + 1
        if version == 1:
            data["originator_topic"] = get_topic(CREATED_BY[kind])
        self.events.append(
            kind(originator_id=aggregate_id, originator_version=version, timestamp=at, **data)
        )

    def product(self, title: str, category: str, at: datetime) -> UUID:
        product_id = uuid4()
        self.add(
            Product.Listed,
            product_id,
            at,
            store_id=self.store_id,
            title=title,
            description="",
            price=Decimal("10.00"),
            category=category,
        )
        return product_id

    def order(self, at: datetime, lines: dict[UUID, tuple[int, str]]) -> UUID:
        order_id = uuid4()
        placed = tuple(
            OrderLine(product_id=p, title="", quantity=q, unit_price=Decimal(price))
            for p, (q, price) in lines.items()
        )
        self.add(
            Order.Placed,
            order_id,
            at,
            user_id=uuid4(),
            store_id=self.store_id,
            lines=placed,
            tax_rate=None,
        )
        return order_id

    def stock_item(self, product_id: UUID, at: datetime) -> UUID:
        """The product's stock item in the store, opened empty."""
        item_id = StockItem.create_id(self.store_id, product_id)
        self.add(StockItem.Opened, item_id, at, store_id=self.store_id, product_id=product_id)
        return item_id
