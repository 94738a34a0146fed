"""Products and categories."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID, uuid4

from fastapi import APIRouter, Depends, Query, Response

from api.dependencies import CurrentUser, Paging, ServicesDep, read_after
from api.errors import ApiError
from api.schemas.catalogue import ProductIn, ProductOut, ProductPatch, ProductPut
from api.schemas.common import PageOf
from read_model.sql import catalogue
from write_model.catalogue import Product
from write_model.commands import ListProduct, ReviseProduct

router = APIRouter(tags=["catalogue"])
CatalogueRead = Depends(read_after("catalogue"))
Ordering = Literal["price", "-price", "title", "-title", "newest"]
PriceQuery = Annotated[Decimal | None, Query(ge=0, le=10**10)]


def product_out(product: Product) -> ProductOut:
    return ProductOut(
        id=product.id,
        store_id=product.store_id,
        title=product.title,
        description=product.description,
        price=product.price,
        category=product.category,
        created_at=product.created_on,
    )


@router.get("/api/categories", dependencies=[CatalogueRead])
def categories(services: ServicesDep) -> list[str]:
    """Every category with at least one listed product."""
    return catalogue.categories(services.pool)


@router.get("/api/products", dependencies=[CatalogueRead])
def list_products(
    services: ServicesDep,
    paging: Paging,
    category: Annotated[str | None, Query(max_length=200)] = None,
    min_price: PriceQuery = None,
    max_price: PriceQuery = None,
    store_id: UUID | None = None,
    ordering: Ordering = "newest",
) -> PageOf[ProductOut]:
    """Listed products, filtered and ordered."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise ApiError(400, "validation_error", "min_price must not exceed max_price.")
    where = catalogue.ProductFilter(category, min_price, max_price, store_id, ordering)
    page = catalogue.list_products(services.pool, paging, where)
    return PageOf[ProductOut].model_validate(page, from_attributes=True)


@router.post("/api/products", status_code=201)
def list_product(
    body: ProductIn, actor: CurrentUser, services: ServicesDep, response: Response
) -> ProductOut:
    """List a product in one of the caller's stores."""
    outcome = services.shop.list_product(
        ListProduct(product_id=uuid4(), **body.model_dump()), actor
    )
    response.headers["X-Event-Position"] = str(outcome.position)
    return product_out(outcome.aggregate)


@router.get("/api/products/{product_id}", dependencies=[CatalogueRead])
def get_product(product_id: UUID, services: ServicesDep) -> ProductOut:
    """One listed product."""
    product = catalogue.get_product(services.pool, product_id)
    if product is None:
        raise ApiError(404, "product_not_found", f"Product {product_id} does not exist.")
    return ProductOut.model_validate(product, from_attributes=True)


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
    return Response(status_code=204, headers={"X-Event-Position": str(outcome.position)})


def revise(
    product_id: UUID,
    fields: dict[str, object],
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
) -> ProductOut:
    outcome = services.shop.revise_product(ReviseProduct(product_id=product_id, **fields), actor)
    response.headers["X-Event-Position"] = str(outcome.position)
    return product_out(outcome.aggregate)
