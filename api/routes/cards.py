"""Requesting debit cards from the provider and reading one's own."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import Depends, Header, Response

from api.dependencies import CurrentUser, Paging, ServicesDep
from api.errors import ApiError
from api.read_your_writes import answer_position, read_after
from api.routing import routes
from api.schemas.cards import CardIn, CardOut, card_out
from api.schemas.common import PageOf, SafeText
from read_model.sql import cards
from write_model.cards import Cards, RequestCard, card_id_for
from write_model.visibility import may_see

router = routes("cards")
CardsRead = Depends(read_after(cards.VIEW, application=Cards.name))


@router.post("/api/cards", status_code=201)
def request_card(
    body: CardIn,
    actor: CurrentUser,
    services: ServicesDep,
    response: Response,
    idempotency_key: Annotated[SafeText | None, Header(min_length=1, max_length=200)] = None,
) -> CardOut:
    """Request a card: 201 ordered, 202 pending (retried later), 400 refused, 502 unusable."""
    card_id = card_id_for(actor.user_id, idempotency_key) if idempotency_key else uuid4()
    cmd = RequestCard(card_id=card_id, user_id=actor.user_id, color=body.color)
    outcome = services.cards.request_card(cmd)
    answer_position(response, outcome, created=f"/api/cards/{card_id}")
    if outcome.aggregate.status == "pending":
        response.status_code = 202
    return card_out(outcome.aggregate)


@router.get("/api/cards", dependencies=[CardsRead])
def my_cards(actor: CurrentUser, services: ServicesDep, paging: Paging) -> PageOf[CardOut]:
    """The caller's own cards, newest first (requests the provider refused are not cards)."""
    page = cards.list_cards(services.pool, actor.user_id, paging)
    return PageOf[CardOut].model_validate(page, from_attributes=True)


@router.get("/api/cards/{card_id}", dependencies=[CardsRead])
def get_card(card_id: UUID, actor: CurrentUser, services: ServicesDep) -> CardOut:
    """One card, to its owner or an admin; to anyone else it does not exist."""
    card = cards.get_card(services.pool, card_id)
    if card is None or not may_see(actor, card.user_id):
        raise ApiError(404, "card_not_found", f"Card {card_id} does not exist.")
    return card_out(card)
