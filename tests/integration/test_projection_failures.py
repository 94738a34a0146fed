"""A projection that cannot apply an event is named, with the event and the error, everywhere.

A real runner feeds a projection that refuses one store's registration, on real Postgres:
readiness, metrics and `bazaar projections status` say which projection, where and why,
and once it applies the event again the record is gone.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from api.main import create_app
from bazaar import projection_commands
from bazaar.wiring import Container
from projections.base import SqlProjection, topics_of
from projections.subscriptions import SqlSubscription
from read_model.sql.failures import ProjectionFailures, RecordedFailure
from streams.runner import InProcessRunner
from tests.builders import LYON, a_product_in, a_store_in, an_artisan, an_order_for, stock_of
from tests.stacks import a_stack_of_its_own, serving
from tests.waiting import poll_until
from write_model.catalogue import Store
from write_model.commands import RegisterStore

pytestmark = pytest.mark.integration


class RefusingStores(SqlProjection):
    """Refuses the registration of the store `poison` while `refusing` is set.

    Each test has one of its own (name and store), so it reads the log from the start and
    stops only at its own test's event.
    """

    topics = topics_of(Store.Registered)

    def __init__(self, pool: Any) -> None:
        super().__init__(pool)
        self.name = f"refusing_{uuid4().hex[:8]}"
        self.poison = uuid4()
        self.refusing = True

    def apply(self, event: Any, session: Any) -> None:
        if self.refusing and event.originator_id == self.poison:
            raise ValueError(f"cannot take store {event.originator_id}")


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Container]:
    with a_stack_of_its_own(tmp_path_factory.mktemp("redis")) as built:
        yield built


@pytest.fixture
def refusing(container: Container) -> Iterator[RefusingStores]:
    """The refusing projection beside the shop's own, run by a real in-process runner."""
    projection = RefusingStores(container.pool)
    logs = [(container.shop, [projection, *container.projections])]
    runner = InProcessRunner(logs, failures=ProjectionFailures(container.pool))
    runner.start()
    yield projection
    runner.stop()
    ProjectionFailures(container.pool).clear(projection.name, container.shop.name)


@pytest.fixture
def api(container: Container) -> Iterator[str]:
    with serving(create_app(container.api_services("f" * 40))) as url:
        yield url


def a_poisoned_store(container: Container, refusing: RefusingStores) -> int:
    """Register the store the projection refuses; its event's position."""
    owner = an_artisan()
    registration = RegisterStore(
        store_id=refusing.poison,
        owner_id=owner.user_id,
        name="Poison",
        location=LYON,
    )
    return container.shop.register_store(registration).position


def recorded_failure(container: Container, refusing: RefusingStores) -> RecordedFailure:
    def found() -> RecordedFailure | None:
        failures = ProjectionFailures(container.pool).current()
        return next((f for f in failures if f.projection == refusing.name), None)

    return poll_until(found, timeout=20)


def test_the_recorded_failure_says_where_the_projection_stopped_why(
    container: Container, refusing: RefusingStores
) -> None:
    poisoned_at = a_poisoned_store(container, refusing)

    failure = recorded_failure(container, refusing)

    assert (failure.application, failure.event_position) == ("shop", poisoned_at)
    assert failure.position < poisoned_at
    assert failure.event_topic is not None and failure.event_topic.endswith("Store.Registered")
    assert failure.error.startswith("ValueError: cannot take store")


def test_the_other_projections_go_on_meanwhile(
    container: Container, refusing: RefusingStores
) -> None:
    a_poisoned_store(container, refusing)
    recorded_failure(container, refusing)
    owner = an_artisan()
    store_id = a_store_in(container.shop, owner)
    product_id = a_product_in(container.shop, store_id, owner)
    stock_of(container.shop, store_id, product_id, owner, 3)

    order = an_order_for(container.shop, store_id, uuid4(), {product_id: 1})

    orders = next(p for p in container.projections if p.name == "orders")
    poll_until(lambda: orders.position(container.shop.name) >= container.shop.position())
    assert order.status == "confirmed"
    assert recorded_failure(container, refusing).attempts >= 1


def test_readiness_answers_503_naming_the_event_a_projection_stopped_at(
    container: Container, refusing: RefusingStores, api: str
) -> None:
    poisoned_at = a_poisoned_store(container, refusing)
    recorded_failure(container, refusing)

    answer = httpx.get(f"{api}/api/ready")

    body = answer.json()
    assert answer.status_code == 503
    assert body["error"] == "projection_failing"
    assert f"{refusing.name} (shop) stopped after position" in body["message"]
    assert f"at event {poisoned_at}" in body["message"]
    failing = body["details"]["failing_projections"]
    assert [(f["projection"], f["event_position"]) for f in failing] == [
        (refusing.name, poisoned_at)
    ]
    assert failing[0]["error"].startswith("ValueError")


def test_metrics_expose_a_gauge_at_the_failing_events_position(
    container: Container, refusing: RefusingStores, api: str
) -> None:
    poisoned_at = a_poisoned_store(container, refusing)
    recorded_failure(container, refusing)

    metrics = httpx.get(f"{api}/metrics").text

    gauge = f'bazaar_projection_failing_at{{application="shop",projection="{refusing.name}"}}'
    assert f"{gauge} {float(poisoned_at)}" in metrics


def test_projections_status_prints_the_failure(
    container: Container, refusing: RefusingStores, capsys: pytest.CaptureFixture[str]
) -> None:
    poisoned_at = a_poisoned_store(container, refusing)
    recorded_failure(container, refusing)

    projection_commands.status(container)

    printed = capsys.readouterr().out
    assert f"FAILING {refusing.name} (shop) stopped after position" in printed
    assert f"at event {poisoned_at}" in printed
    assert "ValueError: cannot take store" in printed


def test_the_record_is_cleared_once_the_projection_applies_the_event(
    container: Container, refusing: RefusingStores, api: str
) -> None:
    a_poisoned_store(container, refusing)
    recorded_failure(container, refusing)

    refusing.refusing = False

    poll_until(lambda: not ProjectionFailures(container.pool).current(), timeout=20)
    assert refusing.position(container.shop.name) >= container.shop.position()
    assert httpx.get(f"{api}/api/ready").status_code == 200


class DividingStores(RefusingStores):
    """Refuses the same way, but in the database: its statement fails there (1 / 0)."""

    def apply(self, event: Any, session: Any) -> None:
        if self.refusing and event.originator_id == self.poison:
            session.execute("SELECT 1 / 0")


class WritingStores(SqlProjection):
    """A healthy view after the failing one: its own statements go on after the failure."""

    topics = topics_of(Store.Registered)
    name = "writing_stores"

    def apply(self, event: Any, session: Any) -> None:
        session.execute("SELECT %s::uuid", (event.originator_id,))


def failure_of(container: Container, views: list[SqlProjection], poison: RefusingStores) -> str:
    """The error a runner records for a subscription of `views` once `poison` refused."""
    subscription = SqlSubscription(f"sql_{poison.name}", container.pool, views)
    runner = InProcessRunner(
        [(container.shop, [subscription])], failures=ProjectionFailures(container.pool)
    )
    runner.start()
    try:
        a_poisoned_store(container, poison)

        failure = poll_until(
            lambda: next(
                (
                    f
                    for f in ProjectionFailures(container.pool).current()
                    if f.projection == subscription.name
                ),
                None,
            ),
            timeout=20,
        )
    finally:
        runner.stop()
        ProjectionFailures(container.pool).clear(subscription.name, container.shop.name)
    return failure.error


def test_a_subscription_whose_view_fails_names_that_view(container: Container) -> None:
    view = RefusingStores(container.pool)

    error = failure_of(container, [view], view)

    assert error.startswith(f"ViewFailedError: {view.name}: ValueError: cannot take")


def test_a_view_whose_statement_fails_in_the_database_is_the_one_named(
    container: Container,
) -> None:
    view = DividingStores(container.pool)

    error = failure_of(container, [view, WritingStores(container.pool)], view)

    assert error.startswith(f"ViewFailedError: {view.name}: DivisionByZero: division by zero")
