"""Card events -> the cards table."""

from __future__ import annotations

from typing import Any

from psycopg import Cursor

from projections.base import SqlProjection, event_handler, handled
from read_model.sql import cards
from write_model.cards import REFUSED, Card


class CardsProjection(SqlProjection):
    name = cards.VIEW
    tables = ("cards",)

    @event_handler
    def apply(self, event: Any, cur: Cursor[Any]) -> None:
        """Events of other kinds change nothing here."""

    @apply.register
    def _(self, event: Card.Requested, cur: Cursor[Any]) -> None:
        view = cards.CardView(
            id=event.originator_id,
            user_id=event.user_id,
            color=event.color,
            status="pending",
            provider_card_id=None,
            last4=None,
            expiration_date=None,
            failure_reason=None,
            created_at=event.timestamp,
            updated_at=event.timestamp,
            version=event.originator_version,
        )
        cards.add_card(cur, view)

    @apply.register
    def _(self, event: Card.Issued, cur: Cursor[Any]) -> None:
        cards.issue(
            cur,
            event.originator_id,
            event.originator_version,
            event.provider_card_id,
            event.last4,
            event.expiration_date,
            event.timestamp,
        )

    @apply.register
    def _(self, event: Card.IssuanceFailed, cur: Cursor[Any]) -> None:
        status = "refused" if event.reason == REFUSED else "failed"
        at, version = event.timestamp, event.originator_version
        cards.fail(cur, event.originator_id, version, status, event.reason, at)

    topics = handled(apply)
