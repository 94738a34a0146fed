"""Store and Product events -> the catalogue tables."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from psycopg import Cursor

from projections.base import SqlProjection, event_handler, handled
from read_model.sql import catalogue
from write_model.catalogue import Product, Store


class CatalogueProjection(SqlProjection):
    name = catalogue.VIEW
    tables = ("stores", "products", "title_words")

    @event_handler
    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        """Events of other kinds change nothing here."""

    @apply.register
    def _(self, event: Store.Registered, cur: Cursor[Any]) -> None:
        store = catalogue.StoreView(
            id=event.originator_id,
            name=event.name,
            owner_id=event.owner_id,
            **asdict(event.location),
            low_stock_threshold=event.low_stock_threshold,
            **asdict(event.opening_hours),
            created_at=event.timestamp,
        )
        catalogue.add_store(cur, store, event.originator_version)

    @apply.register
    def _(self, event: Store.TaxRateSet, cur: Cursor[Any]) -> None:
        catalogue.set_tax_rate(cur, event.originator_id, event.originator_version, event.tax_rate)

    @apply.register
    def _(self, event: Product.Listed, cur: Cursor[Any]) -> None:
        product = catalogue.ProductView(
            id=event.originator_id,
            store_id=event.store_id,
            title=event.title,
            description=event.description,
            price=event.price,
            category=event.category,
            created_at=event.timestamp,
        )
        catalogue.add_product(cur, product, event.originator_version)

    @apply.register
    def _(self, event: Product.Revised, cur: Cursor[Any]) -> None:
        catalogue.revise_product(
            cur,
            event.originator_version,
            id=event.originator_id,
            title=event.title,
            description=event.description,
            price=event.price,
            category=event.category,
        )

    @apply.register
    def _(self, event: Product.Delisted, cur: Cursor[Any]) -> None:
        catalogue.delist_product(cur, event.originator_id, event.originator_version)

    @apply.register
    def _(self, event: Product.FlashSaleSet, cur: Cursor[Any]) -> None:
        sale = catalogue.FlashSaleView(event.price, event.starts_at, event.ends_at)
        catalogue.set_flash_sale(cur, event.originator_id, event.originator_version, sale)

    @apply.register
    def _(self, event: Product.FlashSaleCancelled, cur: Cursor[Any]) -> None:
        catalogue.set_flash_sale(cur, event.originator_id, event.originator_version, None)

    topics = handled(apply)
