"""Card requests on the in-memory event store, against a provider that answers as it is told."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from write_model.cards import (
    GAVE_UP,
    INVALID_ANSWER,
    Card,
    CardProviderInvalidAnswerError,
    CardRefusedError,
    Cards,
    InvalidCardColorError,
    RequestCard,
    card_id_for,
)
from write_model.ports import (
    CardRefused,
    ProviderCard,
    ProviderInvalidAnswer,
    ProviderUnavailable,
)
from write_model.text import InvalidTextError

pytestmark = pytest.mark.unit


class ScriptedProvider:
    """Answers each call with the next scripted outcome; one card per idempotency key."""

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.calls: list[str] = []

    def request_card(self, user_id: UUID, color: str, idempotency_key: str) -> ProviderCard:
        self.calls.append(idempotency_key)
        outcome = self.script.pop(0) if self.script else "card"
        if outcome == "down":
            raise ProviderUnavailable("503")
        if outcome == "refuse":
            raise CardRefused("400")
        if outcome == "expired":
            raise ProviderInvalidAnswer("expiry has passed", provider_card_id="p-expired")
        return ProviderCard(id=f"p-{idempotency_key}", last4="4242", expiration_date="2029-11-01")


def cards_with(provider: ScriptedProvider) -> Cards:
    return Cards(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, provider=provider)


def a_request(color: str = "black") -> RequestCard:
    return RequestCard(card_id=uuid4(), user_id=uuid4(), color=color)


class TestRequestCard:
    def test_records_the_providers_card_without_a_card_number(self) -> None:
        cards = cards_with(ScriptedProvider())

        card: Card = cards.request_card(a_request()).aggregate

        assert (card.status, card.last4, card.expiration_date) == ("ordered", "4242", "2029-11-01")
        assert card.provider_card_id == f"p-{card.id}"

    def test_sends_the_card_id_as_the_idempotency_key(self) -> None:
        provider = ScriptedProvider()
        cmd = a_request()

        cards_with(provider).request_card(cmd)

        assert provider.calls == [str(cmd.card_id)]

    def test_leaves_the_card_pending_when_the_provider_is_down(self) -> None:
        cards = cards_with(ScriptedProvider("down"))

        outcome = cards.request_card(a_request())

        assert outcome.aggregate.status == "pending"
        assert outcome.position == cards.position()

    def test_a_refusal_is_answered_as_an_error(self) -> None:
        cards = cards_with(ScriptedProvider("refuse"))
        cmd = a_request()

        with pytest.raises(CardRefusedError) as refused:
            cards.request_card(cmd)

        assert refused.value.position == cards.position()
        assert cards.get_card(cmd.card_id).refused

    def test_an_unusable_answer_fails_the_card_at_once(
        self,
    ) -> None:
        provider = ScriptedProvider("expired")
        cards = cards_with(provider)
        cmd = a_request()

        with pytest.raises(CardProviderInvalidAnswerError) as invalid:
            cards.request_card(cmd)

        card = cards.get_card(cmd.card_id)
        assert (card.status, card.failure) == ("failed", INVALID_ANSWER)
        assert invalid.value.position == cards.position()
        assert invalid.value.details == {"card_id": str(cmd.card_id)}
        with pytest.raises(CardProviderInvalidAnswerError):
            cards.request_card(cmd)
        assert len(provider.calls) == 1

    def test_a_repeat_answers_the_card_as_it_stands_without_asking_again(self) -> None:
        provider = ScriptedProvider("down")
        cards = cards_with(provider)
        cmd = a_request()
        cards.request_card(cmd)

        again = cards.request_card(cmd)

        assert again.aggregate.status == "pending"
        assert len(provider.calls) == 1

    def test_refuses_a_colour_before_asking_the_provider(self) -> None:
        provider = ScriptedProvider()

        with pytest.raises(InvalidCardColorError):
            cards_with(provider).request_card(a_request(color="green"))

        assert provider.calls == []

    def test_a_clients_key_names_one_card_per_user(self) -> None:
        me, you = uuid4(), uuid4()

        assert card_id_for(me, "k") == card_id_for(me, "k") != card_id_for(you, "k")


class TestIssueAndFail:
    def test_refuses_a_failure_reason_with_a_nul(self) -> None:
        cards = cards_with(ScriptedProvider("down"))
        card = cards.request_card(a_request()).aggregate

        with pytest.raises(InvalidTextError, match="reason"):
            cards.fail(card.id, "gave up\x00")

        assert cards.get_card(card.id).status == "pending"

    def test_issuing_a_settled_card_asks_the_provider_no_more(self) -> None:
        provider = ScriptedProvider()
        cards = cards_with(provider)
        card = cards.request_card(a_request()).aggregate

        cards.issue(card.id)

        assert len(provider.calls) == 1

    def test_an_unusable_answer_to_a_pending_card_fails_it_for_good(self) -> None:
        provider = ScriptedProvider("down", "expired")
        cards = cards_with(provider)
        card = cards.request_card(a_request()).aggregate

        settled = cards.issue(card.id).aggregate

        assert (settled.status, settled.failure) == ("failed", INVALID_ANSWER)
        assert cards.issue(card.id).aggregate.version == settled.version
        assert len(provider.calls) == 2

    def test_a_failure_never_overwrites_an_issued_card(self) -> None:
        cards = cards_with(ScriptedProvider())
        card = cards.request_card(a_request()).aggregate

        cards.fail(card.id, GAVE_UP)

        assert cards.get_card(card.id).status == "ordered"
        assert cards.get_card(card.id).version == card.version

    def test_recording_the_same_card_twice_records_one_event(self) -> None:
        card = Card(id=uuid4(), user_id=uuid4(), color="pink", idempotency_key="k")

        card.issue("p-1", "1111", "2029-01-01")
        card.issue("p-2", "2222", "2030-01-01")

        assert (card.provider_card_id, card.version) == ("p-1", 2)

    def test_a_card_we_gave_up_on_is_not_asked_for_again(self) -> None:
        provider = ScriptedProvider("down")
        cards = cards_with(provider)
        card = cards.request_card(a_request()).aggregate
        cards.fail(card.id, GAVE_UP)

        settled = cards.issue(card.id).aggregate

        assert (settled.status, settled.failure) == ("failed", GAVE_UP)
        assert len(provider.calls) == 1

    def test_a_late_answer_still_records_the_card_we_gave_up_on(self) -> None:
        card = Card(id=uuid4(), user_id=uuid4(), color="pink", idempotency_key="k")
        card.fail(GAVE_UP)

        card.issue("p-late", "9999", "2029-01-01")

        assert (card.status, card.failure, card.provider_card_id) == ("ordered", None, "p-late")
