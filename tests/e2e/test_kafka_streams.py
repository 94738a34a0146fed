"""Orders over HTTP, relay, Kafka (Tansu), Faust workers: the read models in-process builds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest

from api.main import create_app
from bazaar.wiring import Container, build, migrate
from projections.registry import SQL_PROJECTIONS
from read_model import positions
from read_model.sql.failures import ProjectionFailures
from tests.http_driver import Session, a_product, a_store, after, place, receive, register
from tests.kafka_broker import group_members, kafka_broker
from tests.stacks import (
    CONNECTION_BUDGET,
    BazaarProcesses,
    RedisServer,
    a_fresh_database,
    a_redis_server,
    peak_connections,
    serving,
    settings_for,
)
from tests.waiting import poll_until

pytestmark = pytest.mark.e2e
PARTITIONS = 4
CATCH_UP_S = 60.0
WORKER_BUDGET = 10
"""What one worker process may hold, whatever the number of views and partitions."""


@dataclass
class Shop:
    """A store with stock, and customers to order from it."""

    store_id: str
    product_ids: list[str]
    customers: list[Session]


@dataclass
class KafkaStack:
    container: Container
    client: httpx.Client
    streams: BazaarProcesses
    shop: Shop
    redis: RedisServer

    def head(self) -> int:
        return self.container.shop.recorder.max_notification_id() or 0

    def heads(self) -> dict[str, int]:
        logs = self.container.event_logs()
        return {app.name: app.recorder.max_notification_id() or 0 for app, _ in logs}

    def reached(self, heads: dict[str, int]) -> bool:
        """Every projection of every log has applied every event up to its head."""
        return all(
            projection.position(app.name) >= heads[app.name]
            for app, projections in self.container.event_logs()
            for projection in projections
        )

    def relayed(self) -> int:
        return positions.relayed(self.container.pool, self.container.shop.name)

    def place_orders(self, count: int, clients: int = 4) -> list[httpx.Response]:
        def one(n: int) -> httpx.Response:
            customer = self.shop.customers[n % len(self.shop.customers)]
            product = self.shop.product_ids[n % len(self.shop.product_ids)]
            return place(self.client, customer, self.shop.store_id, {product: 1})

        with ThreadPoolExecutor(max_workers=clients) as pool:
            placed = list(pool.map(one, range(count)))
        assert all(r.status_code == 201 for r in placed), [r.text for r in placed][:3]
        return placed

    def caught_up(self) -> None:
        heads = self.heads()
        poll_until(lambda: self.reached(heads), timeout=CATCH_UP_S, every=0.05)


@pytest.fixture(scope="module")
def kafka_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaStack]:
    logs = tmp_path_factory.mktemp("kafka")
    with (
        kafka_broker(logs / "tansu.log") as bootstrap,
        a_fresh_database() as database_url,
        a_redis_server(logs) as redis_server,
    ):
        settings = settings_for(database_url, redis_server.url).model_copy(
            update={
                "kafka_bootstrap": bootstrap,
                "kafka_partitions": PARTITIONS,
                "kafka_idempotent": False,
                "kafka_group": f"bazaar-test-{uuid.uuid4().hex[:8]}",
                "read_wait_timeout_s": CATCH_UP_S,
            }
        )
        migrate(settings)
        container = build(settings)
        streams = BazaarProcesses(settings, logs)
        try:
            app = create_app(container.api_services(settings.jwt_secret or ""))
            # Idle connections are dropped well before the server's 5 s keep-alive ends:
            # reusing one it is closing loses the request.
            limits = httpx.Limits(keepalive_expiry=1.0)
            with (
                serving(app) as url,
                httpx.Client(base_url=url, timeout=30, limits=limits) as client,
            ):
                streams.start("relay")
                streams.start("worker")
                shop = a_stocked_shop(client)
                ready = KafkaStack(container, client, streams, shop, redis_server)
                ready.caught_up()
                yield ready
        finally:
            streams.stop_all()
            container.close()


@pytest.fixture
def stack(kafka_stack: KafkaStack) -> KafkaStack:
    """The module's stack as every test starts from it: one relay and one worker, whatever
    the test before killed or started."""
    kafka_stack.streams.keep("relay", "worker")
    return kafka_stack


def a_stocked_shop(client: httpx.Client) -> Shop:
    owner = register(client, "artisan")
    store = a_store(client, owner)
    products = [a_product(client, owner, store["id"], title=f"Mug {n}")["id"] for n in range(8)]
    for product_id in products:
        receive(client, owner, store["id"], product_id, 1000)
    return Shop(store["id"], products, [register(client) for _ in range(4)])


def assert_same_as_in_process(stack: KafkaStack) -> None:
    """Every SQL read model equals a replay of the log by the in-process code, row for row;
    the Redis inventory equals the SQL one."""
    stack.caught_up()
    rebuilder = stack.container.rebuilder()
    assert rebuilder.verify(SQL_PROJECTIONS) == {}
    assert rebuilder.verify_cache(stack.container.inventory_cache) == {}


def test_an_order_is_readable_right_after_it_is_placed(stack: KafkaStack) -> None:
    customer = stack.shop.customers[0]

    placed = place(stack.client, customer, stack.shop.store_id, {stack.shop.product_ids[0]: 2})

    order_id = placed.json()["id"]
    seen = stack.client.get(f"/api/orders/{order_id}", headers={**customer.auth, **after(placed)})
    assert seen.status_code == 200, seen.text
    assert seen.json()["status"] == "confirmed"


def test_every_projection_reaches_the_head_once_orders_stop(stack: KafkaStack) -> None:
    stack.place_orders(40)
    heads = stack.heads()

    poll_until(lambda: stack.reached(heads), timeout=CATCH_UP_S, every=0.05)


def test_a_worker_killed_mid_stream_applies_every_event_once(
    stack: KafkaStack,
) -> None:
    [worker] = [p for p in stack.streams.running if p.args[-1] == "worker"]
    start = stack.head()
    stack.place_orders(150)
    poll_until(lambda: positions.position(stack.container.pool, "stock", "shop") > start)

    stack.streams.kill(worker)
    stack.place_orders(50)
    stack.streams.start("worker")

    assert_same_as_in_process(stack)


def test_two_workers_sharing_the_partitions_build_the_same_read_models(
    stack: KafkaStack,
) -> None:
    stack.streams.start("worker")
    settings = stack.container.settings
    group = (settings.kafka_bootstrap or "", settings.kafka_group)
    poll_until(lambda: group_members(*group) == 2, timeout=CATCH_UP_S, every=0.2)

    stack.place_orders(150)

    assert_same_as_in_process(stack)


def test_a_relay_restarted_mid_stream_loses_nothing(stack: KafkaStack) -> None:
    [relay] = [p for p in stack.streams.running if p.args[-1] == "relay"]
    start = stack.relayed()
    stack.place_orders(150)
    poll_until(lambda: stack.relayed() > start)

    stack.streams.kill(relay)
    stack.place_orders(50)
    stack.streams.start("relay")

    poll_until(lambda: stack.relayed() >= stack.head(), timeout=CATCH_UP_S)
    assert_same_as_in_process(stack)


def test_a_worker_retries_what_it_could_not_apply_while_redis_was_down(
    stack: KafkaStack,
) -> None:
    failures = ProjectionFailures(stack.container.pool)
    stack.redis.stop()
    try:
        stack.place_orders(20)
        poll_until(failures.current, timeout=CATCH_UP_S, every=0.1)
    finally:
        stack.redis.start()

    assert_same_as_in_process(stack)
    poll_until(lambda: failures.current() == [], timeout=CATCH_UP_S, every=0.1)


def test_the_stack_with_two_workers_stays_within_its_connection_budget_under_load(
    stack: KafkaStack,
) -> None:
    stack.streams.start("worker")

    with peak_connections(stack.container.settings.database_url or "") as connections:
        stack.place_orders(150, clients=16)
        stack.caught_up()

    assert connections.peak <= CONNECTION_BUDGET
    held = [n for name, n in connections.by_process.items() if name.startswith("bazaar worker")]
    assert held and max(held) <= WORKER_BUDGET, connections.by_process
