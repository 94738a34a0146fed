"""Stores, their inventory and their orders."""

from __future__ import annotations

from functools import partial
from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Query, Response

from api.answers import cached_or
from api.dependencies import CurrentUser, Paging, ServicesDep
from api.read_your_writes import answer_position, read_after
from api.routing import routes
from api.schemas.alerts import StockAlertOut
from api.schemas.catalogue import (
    InventoryLineOut,
    StockIn,
    StockOut,
    StoreIn,
    StoreOut,
    TaxRateIn,
    stock_out,
    store_out,
)
from api.schemas.common import PageOf, SafeText, parse_near
from api.schemas.orders import OrderSummaryOut
from api.store_access import managed_store, store_or_404
from read_model.paging import Page, PageRequest
from read_model.sql import alerts, catalogue, inventory, orders
from read_model.sql.inventory import InventoryLine
from write_model.commands import AdjustStock, SetTaxRate

router = routes("stores")
CatalogueRead = Depends(read_after(catalogue.VIEW))
InventoryRead = Depends(read_after(catalogue.VIEW, inventory.VIEW))
OrdersRead = Depends(read_after(catalogue.VIEW, orders.VIEW))


@router.post("/api/stores", status_code=201)
def create_store(
    body: StoreIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> StoreOut:
    """Register a store owned by the caller."""
    cmd = body.registration(store_id=uuid4(), owner_id=actor.user_id)
    outcome = services.shop.register_store(cmd)
    answer_position(response, outcome, created=f"/api/stores/{cmd.store_id}")
    return store_out(outcome.aggregate)


@router.put("/api/stores/{store_id}/tax-rate")
def set_tax_rate(
    store_id: UUID, body: TaxRateIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> StoreOut:
    """Set the tax the store's prices include from now on, or null for none (owner, admin)."""
    outcome = services.shop.set_tax_rate(SetTaxRate(store_id=store_id, **body.model_dump()), actor)
    answer_position(response, outcome)
    return store_out(outcome.aggregate)


@router.get("/api/stores", dependencies=[CatalogueRead])
def list_stores(
    services: ServicesDep,
    paging: Paging,
    city: Annotated[SafeText | None, Query(max_length=200)] = None,
    near: Annotated[SafeText | None, Query(max_length=100)] = None,
    radius_km: Annotated[float, Query(gt=0, le=20_000)] = 10.0,
    owner_id: Annotated[UUID | None, Query()] = None,
) -> PageOf[StoreOut]:
    """Stores by name; filter by city, by distance from `near=lat,lng`, or by owner."""
    page = catalogue.list_stores(services.pool, paging, city, parse_near(near), radius_km, owner_id)
    return PageOf[StoreOut].model_validate(page, from_attributes=True)


@router.get("/api/stores/{store_id}", dependencies=[CatalogueRead])
def get_store(store_id: UUID, services: ServicesDep) -> StoreOut:
    """One store."""
    return StoreOut.model_validate(store_or_404(services, store_id), from_attributes=True)


@router.get("/api/stores/{store_id}/inventory")
def get_inventory(
    store_id: UUID,
    services: ServicesDep,
    target: Annotated[int | None, InventoryRead],
    paging: Paging,
    response: Response,
) -> PageOf[InventoryLineOut]:
    """What the store has available, by title, a page at a time; served from the cache
    when it is current."""
    cache = services.inventory_cache
    cached = cache.fresh(services.shop.name, target, partial(cache.stocked_page, store_id, paging))
    found = cached_or(response, cached, partial(stored_inventory, services, store_id, paging))
    return PageOf[InventoryLineOut].model_validate(found, from_attributes=True)


def stored_inventory(
    services: ServicesDep, store_id: UUID, paging: PageRequest
) -> Page[InventoryLine]:
    """The page from SQL, which also tells an unknown store (404)."""
    store_or_404(services, store_id)
    return inventory.inventory_page(services.pool, store_id, paging)


@router.post("/api/stores/{store_id}/inventory", status_code=201)
def adjust_stock(
    store_id: UUID, body: StockIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> StockOut:
    """Receive stock (positive quantity) or correct it (signed, with a reason)."""
    cmd = AdjustStock(store_id=store_id, **body.model_dump())
    outcome = services.shop.adjust_stock(cmd, actor)
    answer_position(response, outcome, created=f"/api/stores/{store_id}/inventory")
    return stock_out(outcome.aggregate)


@router.get("/api/stores/{store_id}/orders", dependencies=[OrdersRead])
def store_orders(
    store_id: UUID, actor: CurrentUser, services: ServicesDep, paging: Paging
) -> PageOf[OrderSummaryOut]:
    """The store's orders, newest first: for its owner and admins."""
    managed_store(services, actor, store_id)
    page = orders.list_orders(services.pool, paging, orders.OrderFilter(store_id=store_id))
    return PageOf[OrderSummaryOut].model_validate(page, from_attributes=True)


@router.get("/api/stores/{store_id}/alerts", dependencies=[Depends(read_after(alerts.VIEW))])
def store_alerts(store_id: UUID, actor: CurrentUser, services: ServicesDep) -> list[StockAlertOut]:
    """Open low-stock alerts, newest first: for the store's owner and admins."""
    managed_store(services, actor, store_id)
    found = alerts.open_alerts(services.pool, store_id)
    return [StockAlertOut.model_validate(alert, from_attributes=True) for alert in found]
