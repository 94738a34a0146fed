"""What routes depend on, as Annotated aliases: services, the caller, paging."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

from eventsourcing.application import Application
from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from psycopg_pool import ConnectionPool

from api.errors import ApiError
from api.security import TokenService
from read_model import positions
from read_model.paging import MAX_PAGE_SIZE, PageRequest
from read_model.position_waiter import PositionWaiter
from read_model.redis.cache import QueryCache
from read_model.redis.inventory import InventoryCache
from read_model.redis.rate_limit import RateLimiter
from read_model.redis.suggest import SuggestIndex
from write_model.accounts import Accounts
from write_model.cards import Cards
from write_model.commands import Actor
from write_model.shop import Shop

T = TypeVar("T")
MAX_PAGE = 10**6


@dataclass
class Services:
    """Everything the API needs, built by the composition root."""

    shop: Shop
    accounts: Accounts
    cards: Cards
    pool: ConnectionPool
    inventory_cache: InventoryCache
    suggest_index: SuggestIndex
    query_cache: QueryCache
    suggest_limiter: RateLimiter
    tokens: TokenService
    currency: str
    """The marketplace's currency (ISO 4217), as pages showing amounts need it."""
    read_wait_timeout: float = 5.0
    checks: dict[str, Callable[[], object]] = field(default_factory=dict)
    waiter: PositionWaiter = field(init=False)
    """The process's one poller of projection positions, for every read that waits."""

    def __post_init__(self) -> None:
        self.waiter = PositionWaiter(self.pool)

    def logs(self) -> dict[str, Application[Any]]:
        """Every event log a position token may name, by its application's name."""
        return {app.name: app for app in (self.shop, self.accounts, self.cards)}


async def get_services(request: Request) -> Services:
    """Async, so no request takes a worker thread only to find the services."""
    return services_of(request)


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/token", auto_error=False)


async def current_actor(
    services: ServicesDep, token: Annotated[str | None, Depends(oauth2)]
) -> Actor:
    """Async, as every dependency that only computes: a plain `def` would cost each request
    a hop to the thread pool and back."""
    if not token:
        raise ApiError(401, "unauthenticated", "Sign in first: no bearer token was sent.")
    return services.tokens.verify(token)


CurrentUser = Annotated[Actor, Depends(current_actor)]


async def admin_actor(actor: CurrentUser) -> Actor:
    """The caller, if an admin: other roles are refused (403) rather than shown less."""
    if not actor.is_admin:
        raise ApiError(403, "forbidden", "Only admins may see this.")
    return actor


AdminOnly = Depends(admin_actor)
"""Route-level: checked before anything else the route depends on (such as a read wait)."""


async def page_request(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="1-based page number.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Results per page.")] = 20,
) -> PageRequest:
    """Bounded so that the row offset always fits the database's 64-bit integers."""
    return PageRequest(page, page_size)


Paging = Annotated[PageRequest, Depends(page_request)]


def read_sql(services: Services, projection: str, query: Callable[[], T]) -> tuple[int, T]:
    """The projection's position, then the query's result (the route waited for X-Min-Position).

    The position is read first, so the result shows at least that much: a cache may keep
    it where that position is enough (see `read_model.redis.cache`).
    """
    return positions.position(services.pool, projection, services.shop.name), query()
