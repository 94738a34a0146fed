"""Stock held for a checkout: made, read, released; ordered through `POST /api/orders`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from fastapi import Header, Response

from api.dependencies import CurrentUser, ServicesDep
from api.read_your_writes import answer_position
from api.routing import routes
from api.schemas.common import SafeText
from api.schemas.orders import OrderEventOut
from api.schemas.reservations import ReservationIn, ReservationOut, reservation_out
from write_model.commands import OrderItem, ReserveStock

router = routes("reservations")
IDEMPOTENCY_NAMESPACE = uuid5(NAMESPACE_URL, "bazaar:reservation-idempotency-key")


@router.post("/api/reservations", status_code=201)
def reserve(
    body: ReservationIn,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[SafeText | None, Header(max_length=200)] = None,
) -> ReservationOut:
    """Hold units at one store for `minutes` (default 15): all lines, or 400 with the
    shortfalls and nothing held. Order them with `POST /api/orders {reservation_id}`."""
    reservation_id = (
        uuid5(IDEMPOTENCY_NAMESPACE, f"{actor.user_id}/{idempotency_key}")
        if idempotency_key
        else uuid4()
    )
    items = tuple(OrderItem(product_id=i.product_id, quantity=i.quantity) for i in body.items)
    cmd = ReserveStock(
        reservation_id=reservation_id,
        user_id=actor.user_id,
        store_id=body.store_id,
        items=items,
        minutes=body.minutes,
    )
    outcome = services.shop.reserve_stock(cmd, now=datetime.now(UTC))
    answer_position(response, outcome, created=f"/api/reservations/{reservation_id}")
    return reservation_out(outcome.aggregate)


@router.get("/api/reservations/{reservation_id}")
def get_reservation(
    reservation_id: UUID, actor: CurrentUser, services: ServicesDep
) -> ReservationOut:
    """One reservation (its customer, admins), read from the event store: always current."""
    return reservation_out(services.shop.visible_reservation(reservation_id, actor))


@router.delete("/api/reservations/{reservation_id}", status_code=204)
def release(reservation_id: UUID, actor: CurrentUser, services: ServicesDep) -> Response:
    """Give the held units back now; a reservation no longer held stays as it is."""
    outcome = services.shop.release_reservation(reservation_id, actor)
    return answer_position(Response(status_code=204), outcome)


@router.get("/api/reservations/{reservation_id}/history")
def reservation_history(
    reservation_id: UUID, actor: CurrentUser, services: ServicesDep
) -> list[OrderEventOut]:
    """Every event of the reservation, oldest first; 404 for anyone but its customer and admins."""
    records = services.shop.audit.reservation_history(reservation_id, actor)
    return [OrderEventOut.model_validate(record, from_attributes=True) for record in records]
