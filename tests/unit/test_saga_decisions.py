"""Which jobs each saga asks for, given the events a shop or a card request records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.application import Application

from projections.sagas.base import Saga
from projections.sagas.cancellation import CancellationCreditNote, CancellationEmail
from projections.sagas.cards import CardIssuance
from projections.sagas.confirmation import ConfirmationEmail
from projections.sagas.invoice import Invoice
from projections.sagas.low_stock import LowStockEmail
from projections.sagas.reservation_expiry import ReservationExpiry
from projections.sagas.returns import CreditNote, RefundEmail
from projections.sagas.shipping import ShippingNotice
from read_model.sql.saga_jobs import Job
from tests.builders import (
    IN_MEMORY,
    a_customer,
    a_hold_request,
    a_product_in,
    a_shop,
    a_store_in,
    an_artisan,
    an_order_for,
    stock_of,
)
from write_model.cards import Card, Cards, RequestCard
from write_model.commands import ChangeOrderStatus, ChangeReturnStatus, OrderItem, RequestReturn
from write_model.orders import Order
from write_model.ports import ProviderCard, ProviderUnavailable
from write_model.reservations import Reservation
from write_model.returns import OrderReturn
from write_model.shop import Shop

pytestmark = pytest.mark.unit
GRACE_S = 2.5
UNUSED: Any = None
"""A saga's port that deciding never calls: `jobs()` only reads the event."""


class DownProvider:
    def request_card(self, user_id: Any, color: str, idempotency_key: str) -> ProviderCard:
        raise ProviderUnavailable("503")


class AnOrderedMug:
    """A store with 5 mugs, and a customer's order of 2, confirmed."""

    def __init__(self) -> None:
        self.shop = a_shop()
        self.owner, self.customer = an_artisan(), a_customer()
        self.store = a_store_in(self.shop, self.owner)
        self.mug = a_product_in(self.shop, self.store, self.owner)
        stock_of(self.shop, self.store, self.mug, self.owner, 5)
        self.order_id = an_order_for(self.shop, self.store, self.customer.user_id, {self.mug: 2}).id

    def moved_to(self, *statuses: str) -> Order.StatusChanged:
        """The order moved through `statuses` (the customer cancels, the owner does the rest);
        the last move's event."""
        for status in statuses:
            who = self.customer if status == "cancelled" else self.owner
            self.shop.change_order_status(
                ChangeOrderStatus(order_id=self.order_id, status=status), who
            )
        return last_event(self.shop, Order.StatusChanged)

    def received_return(self) -> OrderReturn.Received:
        self.moved_to("processing", "shipped", "delivered")
        order = self.shop.get_order(self.order_id)
        asked = RequestReturn(
            order_id=self.order_id,
            items=(OrderItem(product_id=self.mug, quantity=1),),
            reason="Chipped.",
        )
        delivered_at = order.delivered_at or order.created_on
        return_id = self.shop.request_return(
            asked, self.customer, delivered_at + timedelta(days=1)
        ).aggregate.id
        self.shop.change_return_status(
            ChangeReturnStatus(return_id=return_id, status="received"), self.owner
        )
        return last_event(self.shop, OrderReturn.Received)


def last_event(app: Application, kind: type) -> Any:
    """The latest event of `kind` that `app` recorded."""
    notifications = app.recorder.select_notifications(start=1, limit=10_000)
    events = [app.mapper.to_domain_event(n) for n in notifications]
    return [event for event in events if isinstance(event, kind)][-1]


def shop_sagas(shop: Shop) -> dict[str, Saga]:
    sagas: list[Saga] = [
        ConfirmationEmail(shop, UNUSED, UNUSED),
        Invoice(shop, UNUSED, UNUSED, "EUR"),
        ShippingNotice(shop, UNUSED),
        LowStockEmail(shop, UNUSED, UNUSED),
        ReservationExpiry(shop),
        RefundEmail(shop, UNUSED, UNUSED),
        CreditNote(shop, UNUSED, UNUSED, "EUR"),
        CancellationCreditNote(shop, UNUSED, UNUSED, "EUR"),
        CancellationEmail(shop, UNUSED, UNUSED),
    ]
    return {saga.name: saga for saga in sagas}


@pytest.fixture
def given() -> AnOrderedMug:
    return AnOrderedMug()


def jobs_of(given: AnOrderedMug, saga: str, event: Any) -> list[Job]:
    return list(shop_sagas(given.shop)[saga].jobs(event))


class TestAConfirmedOrder:
    @pytest.mark.parametrize("saga", ["confirmation_email", "invoice"])
    def test_asks_for_one_job_keyed_by_the_order(self, given: AnOrderedMug, saga: str) -> None:
        confirmed = last_event(given.shop, Order.Confirmed)

        jobs = jobs_of(given, saga, confirmed)

        assert [job.key for job in jobs] == [str(given.order_id)]

    def test_dates_the_invoice_by_the_confirmation(self, given: AnOrderedMug) -> None:
        confirmed = last_event(given.shop, Order.Confirmed)

        [job] = jobs_of(given, "invoice", confirmed)

        assert job.payload["at"] == confirmed.timestamp.isoformat()

    def test_asks_again_for_the_same_job_when_replayed(self, given: AnOrderedMug) -> None:
        confirmed = last_event(given.shop, Order.Confirmed)

        first, again = (jobs_of(given, "confirmation_email", confirmed) for _ in range(2))

        assert first == again


class TestAStatusChange:
    def test_shipping_announces_the_order_to_the_partner(self, given: AnOrderedMug) -> None:
        shipped = given.moved_to("processing", "shipped")

        jobs = jobs_of(given, "shipping_webhook", shipped)

        assert jobs == [Job(key=str(given.order_id), payload={"order_id": str(given.order_id)})]

    @pytest.mark.parametrize("status", ["processing", "cancelled"])
    def test_other_moves_announce_nothing(self, given: AnOrderedMug, status: str) -> None:
        moved = given.moved_to(status)

        assert jobs_of(given, "shipping_webhook", moved) == []

    @pytest.mark.parametrize("saga", ["cancellation_credit_note", "cancellation_email"])
    def test_cancelling_asks_for_one_job_keyed_by_the_order(
        self, given: AnOrderedMug, saga: str
    ) -> None:
        cancelled = given.moved_to("cancelled")

        [job] = jobs_of(given, saga, cancelled)

        assert job.key == str(given.order_id)
        assert job.payload["at"] == cancelled.timestamp.isoformat()

    @pytest.mark.parametrize("saga", ["cancellation_credit_note", "cancellation_email"])
    def test_shipping_asks_for_no_credit_note(self, given: AnOrderedMug, saga: str) -> None:
        shipped = given.moved_to("processing", "shipped")

        assert jobs_of(given, saga, shipped) == []


class TestAReceivedReturn:
    @pytest.mark.parametrize("saga", ["refund_email", "credit_note"])
    def test_asks_for_one_job_keyed_by_the_return(self, given: AnOrderedMug, saga: str) -> None:
        received = given.received_return()

        [job] = jobs_of(given, saga, received)

        assert job.key == str(received.originator_id)
        assert job.payload["at"] == received.timestamp.isoformat()


class TestAReservation:
    def test_falls_due_when_the_hold_expires(self, given: AnOrderedMug) -> None:
        held = a_hold_request(given.store, given.customer.user_id, {given.mug: 1}, minutes=15)
        given.shop.reserve_stock(held)
        made = last_event(given.shop, Reservation.Made)

        [job] = jobs_of(given, "reservation_expiry", made)

        assert job.key == str(held.reservation_id)
        assert job.due_at == made.expires_at


class TestLowStock:
    def test_asks_nothing_of_any_event_itself(self, given: AnOrderedMug) -> None:
        events = [last_event(given.shop, Order.Confirmed), given.moved_to("processing")]

        assert [jobs_of(given, "low_stock_email", event) for event in events] == [[], []]


class TestACardRequest:
    def test_waits_the_grace_period_before_asking_the_provider(self) -> None:
        cards = Cards(env=IN_MEMORY, provider=DownProvider())
        card_id = uuid4()
        cards.request_card(RequestCard(card_id=card_id, user_id=uuid4(), color="pink"))
        requested = last_event(cards, Card.Requested)

        jobs = list(CardIssuance(cards, grace_s=GRACE_S).jobs(requested))

        assert jobs == [Job(key=str(card_id), payload={"card_id": str(card_id)}, delay_s=GRACE_S)]
