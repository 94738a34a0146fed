"""Products, categories, flash sales and recommendations."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from functools import partial
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

from fastapi import Depends, Query, Response

from api.answers import cache_said
from api.dependencies import CurrentUser, Paging, ServicesDep, read_sql
from api.errors import ApiError
from api.read_your_writes import answer_position, read_after
from api.routing import routes
from api.schemas.catalogue import (
    AvailabilityOut,
    FlashSaleIn,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProductPut,
    product_out,
    product_view,
)
from api.schemas.common import PageOf, SafeText, parse_near
from read_model.sql import catalogue, inventory
from write_model.commands import ListProduct, ReviseProduct, SetFlashSale

router = routes("catalogue")
CatalogueRead = Depends(read_after(catalogue.VIEW))
StockRead = Depends(read_after(catalogue.VIEW, inventory.VIEW))
Ordering = Literal["price", "-price", "title", "-title", "newest"]
PriceQuery = Annotated[Decimal | None, Query(ge=0, le=10**10)]


def product_or_404(services: ServicesDep, product_id: UUID) -> catalogue.ProductView:
    product = catalogue.get_product(services.pool, product_id)
    if product is None:
        raise ApiError(404, "product_not_found", f"Product {product_id} does not exist.")
    return product


@router.get("/api/categories", dependencies=[CatalogueRead])
def categories(services: ServicesDep) -> list[str]:
    """Every category with at least one listed product."""
    return catalogue.categories(services.pool)


@router.get("/api/products")
def list_products(
    services: ServicesDep,
    paging: Paging,
    target: Annotated[int | None, CatalogueRead],
    response: Response,
    category: Annotated[SafeText | None, Query(max_length=200)] = None,
    min_price: PriceQuery = None,
    max_price: PriceQuery = None,
    store_id: UUID | None = None,
    sort: Ordering | None = None,
    ordering: Annotated[
        Ordering | None, Query(deprecated=True, description="The old name of `sort`.")
    ] = None,
) -> PageOf[ProductOut]:
    """Listed products, filtered and ordered (by the regular price); cached while current."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise ApiError(400, "validation_error", "min_price must not exceed max_price.")
    chosen = sort or ordering or "newest"
    where = catalogue.ProductFilter(category, min_price, max_price, store_id, chosen)
    query = partial(catalogue.list_products, services.pool, paging, where)
    found = services.query_cache.product_page(
        where, paging, target, partial(read_sql, services, catalogue.VIEW, query)
    )
    cache_said(response, found.hit)
    page, now = found.value, datetime.now(UTC)
    results = [product_out(product, now) for product in page.results]
    return PageOf[ProductOut](
        count=page.count, page=page.page, page_size=page.page_size, results=results
    )


@router.post("/api/products", status_code=201)
def list_product(
    body: ProductIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> ProductOut:
    """List a product in one of the caller's stores."""
    outcome = services.shop.list_product(
        ListProduct(product_id=uuid4(), **body.model_dump()), actor
    )
    answer_position(response, outcome, created=f"/api/products/{outcome.aggregate.id}")
    return product_out(product_view(outcome.aggregate), datetime.now(UTC))


@router.get("/api/products/{product_id}", dependencies=[CatalogueRead])
def get_product(product_id: UUID, services: ServicesDep) -> ProductOut:
    """One listed product."""
    return product_out(product_or_404(services, product_id), datetime.now(UTC))


@router.get("/api/products/{product_id}/availability", dependencies=[StockRead])
def availability(
    product_id: UUID,
    services: ServicesDep,
    near: Annotated[SafeText | None, Query(max_length=100)] = None,
    radius_km: Annotated[float, Query(gt=0, le=20_000)] = 10.0,
) -> list[AvailabilityOut]:
    """The stores that have the product to order (at most 100): nearest first within
    `radius_km` of `near=lat,lng`, or, without `near`, those with the most first."""
    spot = parse_near(near)
    product_or_404(services, product_id)
    found = inventory.availability(services.pool, product_id, spot, radius_km)
    return [AvailabilityOut.model_validate(store, from_attributes=True) for store in found]


@router.get("/api/products/{product_id}/recommendations", dependencies=[CatalogueRead])
def recommendations(
    product_id: UUID,
    services: ServicesDep,
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[ProductOut]:
    """Other listed products of its category: those on a running flash sale first, then newest."""
    product, now = product_or_404(services, product_id), datetime.now(UTC)
    found = catalogue.recommendations(services.pool, product, now, limit)
    return [product_out(other, now) for other in found]


@router.put("/api/products/{product_id}/flash-sale")
def set_flash_sale(
    product_id: UUID,
    body: FlashSaleIn,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
) -> ProductOut:
    """Sell below the regular price for a window that ends in the future (owner, admin)."""
    now = datetime.now(UTC)
    outcome = services.shop.set_flash_sale(
        SetFlashSale(product_id=product_id, **body.model_dump()), actor, now
    )
    answer_position(response, outcome)
    return product_out(product_view(outcome.aggregate), now)


@router.delete("/api/products/{product_id}/flash-sale", status_code=204)
def cancel_flash_sale(product_id: UUID, actor: CurrentUser, services: ServicesDep) -> Response:
    """End a product's flash sale now; without one running or to come, nothing changes."""
    outcome = services.shop.cancel_flash_sale(product_id, actor, datetime.now(UTC))
    return answer_position(Response(status_code=204), outcome)


@router.put("/api/products/{product_id}")
def replace_product(
    product_id: UUID,
    body: ProductPut,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
) -> ProductOut:
    """Revise every field of a product."""
    return revise(product_id, body.model_dump(), actor, services, response)


@router.patch("/api/products/{product_id}")
def patch_product(
    product_id: UUID,
    body: ProductPatch,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
) -> ProductOut:
    """Revise some fields of a product."""
    return revise(product_id, body.model_dump(exclude_none=True), actor, services, response)


@router.delete("/api/products/{product_id}", status_code=204)
def delist_product(product_id: UUID, actor: CurrentUser, services: ServicesDep) -> Response:
    """Take a product off sale."""
    outcome = services.shop.delist_product(product_id, actor)
    return answer_position(Response(status_code=204), outcome)


def revise(
    product_id: UUID,
    fields: dict[str, Any],
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
) -> ProductOut:
    outcome = services.shop.revise_product(ReviseProduct(product_id=product_id, **fields), actor)
    answer_position(response, outcome)
    return product_out(product_view(outcome.aggregate), datetime.now(UTC))
