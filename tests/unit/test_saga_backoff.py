"""A failed saga job: retried after waits that double, capped by the executor or the saga, and
parked when it gives up or has used its attempts."""

from __future__ import annotations

from uuid import UUID

import pytest
from psycopg_pool import ConnectionPool

from projections.sagas.base import Backoff, GiveUp, RetryLater
from projections.sagas.cards import CardIssuance
from streams.saga_executor import SagaExecutor, described
from write_model.cards import Cards
from write_model.ports import ProviderCard, ProviderUnavailable

pytestmark = pytest.mark.unit
HOUR_S = 3600.0


class CappedSaga:
    max_backoff_s = 30.0


class ThreeTries:
    """A saga allowed three attempts per job."""

    name = "three_tries"
    max_attempts = 3


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


def an_executor(saga: object) -> SagaExecutor:
    """An executor doubling from 1 s to 300 s, on a pool never opened: its policy asks no
    database."""
    return SagaExecutor(ConnectionPool(open=False), [saga], backoff_s=1.0, max_backoff_s=300.0)


class TestRetryOrPark:
    def test_retries_a_failed_job_after_the_backoff(self) -> None:
        saga = ThreeTries()

        delays = [an_executor(saga).retry_delay(saga, n, RetryLater("503")) for n in (1, 2)]

        assert delays == [1.0, 2.0]

    def test_parks_a_job_that_failed_its_last_attempt(self) -> None:
        saga = ThreeTries()

        assert an_executor(saga).retry_delay(saga, 3, RetryLater("503")) is None

    def test_retries_any_other_error_as_a_transient_one(self) -> None:
        saga = ThreeTries()

        assert an_executor(saga).retry_delay(saga, 1, ConnectionError("reset")) == 1.0

    def test_parks_a_job_that_gives_up_at_its_first_attempt(self) -> None:
        saga = ThreeTries()

        assert an_executor(saga).retry_delay(saga, 1, GiveUp("card refused")) is None

    def test_records_a_give_up_by_its_reason_alone(self) -> None:
        assert described(GiveUp("card refused")) == "card refused"

    def test_records_another_failure_with_its_type(self) -> None:
        assert described(RetryLater("503")) == "RetryLater: 503"
