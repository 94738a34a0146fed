"""Product search (full text, typo-tolerant) and title suggestions (rate-limited)."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Query, Response

from api.answers import cached_or
from api.dependencies import Paging, ServicesDep
from api.errors import ApiError
from api.rate_limits import Quota, rate_limited
from api.read_your_writes import read_after
from api.routing import routes
from api.schemas.common import PageOf, SafeText, parse_near
from api.schemas.search import SearchHitOut, SuggestionsOut
from read_model.sql import catalogue, inventory, search
from read_model.sql.search import SearchFilter

router = routes("search")
SearchRead = Depends(read_after(catalogue.VIEW, inventory.VIEW))
SuggestRead = Depends(read_after(catalogue.VIEW))
SuggestLimit = Depends(rate_limited(lambda services: services.suggest_limiter))
Sort = Literal["relevance", "price", "-price", "newest"]
PriceQuery = Annotated[Decimal | None, Query(ge=0, le=10**10)]
SUGGESTIONS = 10
SUGGEST_MIN_LENGTH = 3


def search_filter(
    q: Annotated[SafeText | None, Query(max_length=200)] = None,
    category: Annotated[SafeText | None, Query(max_length=200)] = None,
    min_price: PriceQuery = None,
    max_price: PriceQuery = None,
    store_id: UUID | None = None,
    in_stock: Annotated[bool | None, Query(description="Needs store_id.")] = None,
    near: Annotated[SafeText | None, Query(max_length=100, description="lat,lng")] = None,
    radius_km: Annotated[float, Query(gt=0, le=20_000)] = 10.0,
    sort: Sort = "relevance",
) -> SearchFilter:
    """The query string as a filter; combinations that mean nothing are a 400."""
    if min_price is not None and max_price is not None and min_price > max_price:
        raise ApiError(400, "validation_error", "min_price must not exceed max_price.")
    if in_stock is not None and store_id is None:
        raise ApiError(400, "validation_error", "in_stock needs store_id: stock is per store.")
    return SearchFilter(
        q=(q or "").strip() or None,
        category=category,
        min_price=min_price,
        max_price=max_price,
        store_id=store_id,
        in_stock=in_stock,
        near=parse_near(near),
        radius_km=radius_km,
        sort=sort,
    )


async def suggest_text(q: Annotated[SafeText, Query(max_length=100)]) -> str:
    """`q` without surrounding blanks: fewer than 3 letters would match too much to help."""
    text = q.strip()
    if len(text) < SUGGEST_MIN_LENGTH:
        raise ApiError(
            400, "validation_error", f"q needs at least {SUGGEST_MIN_LENGTH} characters."
        )
    return text


@router.get("/api/search/products", dependencies=[SearchRead], response_model_exclude_none=True)
def search_products(
    services: ServicesDep, paging: Paging, where: Annotated[SearchFilter, Depends(search_filter)]
) -> PageOf[SearchHitOut]:
    """Listed products matching `q` and the filters; close spellings when nothing matches."""
    page = search.search_products(services.pool, paging, where)
    return PageOf[SearchHitOut].model_validate(page, from_attributes=True)


@router.get("/api/search/suggest")
def suggest(
    quota: Annotated[Quota, SuggestLimit],
    services: ServicesDep,
    q: Annotated[str, Depends(suggest_text)],
    target: Annotated[int | None, SuggestRead],
    response: Response,
) -> SuggestionsOut:
    """Up to 10 titles starting with `q`, then titles with a later word starting with it."""
    quota.spend()
    index = services.suggest_index
    cached = index.fresh(services.shop.name, target, partial(index.suggestions, q, SUGGESTIONS))
    titles = cached_or(
        response, cached, partial(search.suggest_titles, services.pool, q, SUGGESTIONS)
    )
    return SuggestionsOut(suggestions=titles)
