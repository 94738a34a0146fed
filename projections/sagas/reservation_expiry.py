"""Reservation.Made -> its expiry, due at `expires_at`: a durable job, so a restart loses none."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from projections.base import topics_of
from projections.sagas.base import Backoff, RetryLater
from read_model.sql.saga_jobs import Job
from write_model.reservations import Reservation
from write_model.shop import Shop

MAX_BACKOFF_S = 5.0
"""Held units are someone else's lost sale: after an outage, expiries resume within this."""
TRYING_FOR_S = 24 * 3600.0
"""How long an expiry that keeps failing (Postgres away) is tried before it is parked."""


class ReservationExpiry:
    name = "reservation_expiry"
    topics = topics_of(Reservation.Made)
    max_backoff_s = MAX_BACKOFF_S
    max_attempts = Backoff(cap_s=MAX_BACKOFF_S).attempts_spanning(TRYING_FOR_S)

    def __init__(self, shop: Shop) -> None:
        self.shop = shop

    def jobs(self, event: Any) -> Iterable[Job]:
        reservation_id = str(event.originator_id)
        payload = {"reservation_id": reservation_id}
        yield Job(key=reservation_id, payload=payload, due_at=event.expires_at)

    def perform(self, payload: dict[str, Any]) -> str:
        """Expire it unless it ended otherwise; on a clock behind the expiry, try again."""
        outcome = self.shop.expire_reservation(UUID(payload["reservation_id"]), datetime.now(UTC))
        reservation: Reservation = outcome.aggregate
        if reservation.status == "held":
            raise RetryLater(f"not due until {reservation.expires_at.isoformat()}")
        return reservation.status

    def give_up(self, payload: dict[str, Any], error: str) -> None:
        """The parked job is the record: `bazaar sagas failed` lists it to be requeued."""
