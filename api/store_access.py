"""A store a route reads about, from the catalogue view: unknown is 404, and where only its
owner and admins may look, anyone else is refused (403)."""

from __future__ import annotations

from uuid import UUID

from api.dependencies import Services
from api.errors import ApiError
from read_model.sql import catalogue
from read_model.sql.catalogue import StoreView
from write_model.commands import Actor
from write_model.visibility import check_manages


def store_or_404(services: Services, store_id: UUID) -> StoreView:
    store = catalogue.get_store(services.pool, store_id)
    if store is None:
        raise ApiError(404, "store_not_found", f"Store {store_id} does not exist.")
    return store


def managed_store(services: Services, actor: Actor, store_id: UUID) -> StoreView:
    """The store, if the caller is its owner or an admin."""
    store = store_or_404(services, store_id)
    check_manages(actor, store.owner_id, "see this")
    return store
