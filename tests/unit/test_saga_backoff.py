"""The waits between a saga job's attempts: doubling, capped by the executor or the saga."""

from __future__ import annotations

from uuid import UUID

import pytest

from projections.sagas.base import Backoff
from projections.sagas.cards import CardIssuance
from write_model.cards import Cards
from write_model.ports import ProviderCard, ProviderUnavailable

pytestmark = pytest.mark.unit
HOUR_S = 3600.0


class CappedSaga:
    max_backoff_s = 30.0


class DownProvider:
    def request_card(self, user_id: UUID, color: str, idempotency_key: str) -> ProviderCard:
        raise ProviderUnavailable("503")


def a_card_issuance() -> CardIssuance:
    cards = Cards(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, provider=DownProvider())
    return CardIssuance(cards, grace_s=0)


def waits(backoff: Backoff, saga: object, attempts: int) -> list[float]:
    """The waits between `attempts` attempts of one job."""
    return [backoff.after(failures, saga) for failures in range(1, attempts)]


class TestBackoff:
    def test_doubles_from_the_first_wait_up_to_the_executors_cap(self) -> None:
        backoff = Backoff(first_s=1.0, cap_s=300.0)

        delays = waits(backoff, saga=object(), attempts=12)

        assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]

    def test_a_sagas_own_cap_bounds_the_waits_of_its_jobs(self) -> None:
        backoff = Backoff(first_s=1.0, cap_s=300.0)

        delays = waits(backoff, CappedSaga(), attempts=9)

        assert delays == [1, 2, 4, 8, 16, 30, 30, 30]

    def test_a_sagas_cap_above_the_executors_changes_nothing(self) -> None:
        backoff = Backoff(first_s=1.0, cap_s=10.0)

        assert backoff.after(20, CappedSaga()) == 10.0

    def test_attempts_spanning_is_the_fewest_whose_waits_reach_the_span(self) -> None:
        backoff = Backoff(first_s=1.0, cap_s=30.0)

        attempts = backoff.attempts_spanning(HOUR_S)

        assert sum(waits(backoff, None, attempts)) >= HOUR_S
        assert sum(waits(backoff, None, attempts - 1)) < HOUR_S


class TestCardIssuanceBackoff:
    def test_retries_a_pending_card_at_most_a_minute_apart_for_at_least_an_hour(self) -> None:
        saga = a_card_issuance()

        delays = waits(Backoff(), saga, saga.max_attempts)

        assert max(delays) <= 60.0
        assert sum(delays) >= HOUR_S
