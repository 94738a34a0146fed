"""Who may see an order or a return, and who may manage a store: one rule for every reader.

The rules take plain ids, so the application (holding aggregates) and the API (holding
read-model views) apply the same one to whatever they loaded.
"""

from __future__ import annotations

from uuid import UUID

from write_model.commands import Actor
from write_model.errors import PermissionDeniedError


def may_see(actor: Actor, customer_id: UUID, store_owner_id: UUID | None = None) -> bool:
    """Its customer, the store's owner (if it belongs to a store) and admins."""
    return actor.user_id == customer_id or may_manage(actor, store_owner_id)


def may_manage(actor: Actor, store_owner_id: UUID | None) -> bool:
    """The store's owner and admins: they change the store and see its orders and figures."""
    return actor.is_admin or actor.user_id == store_owner_id


def check_manages(actor: Actor, store_owner_id: UUID, doing: str = "do this") -> None:
    """Anyone but the store's owner or an admin is refused (403), not shown less."""
    if not may_manage(actor, store_owner_id):
        raise PermissionDeniedError(f"Only the store's owner or an admin may {doing}.")
