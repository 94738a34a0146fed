"""Kafka down: the API goes on taking orders, and the relay catches up once the broker is back."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from api.main import create_app
from bazaar.dev_kafka import tansu_broker
from bazaar.wiring import build, migrate
from tests.e2e.test_kafka_streams import (
    PARTITIONS,
    KafkaStack,
    a_stocked_shop,
    assert_same_as_in_process,
)
from tests.stacks import (
    BazaarProcesses,
    a_fresh_database,
    a_redis_server,
    connected,
    free_port,
    serving,
    settings_for,
)
from tests.waiting import poll_until

pytestmark = pytest.mark.e2e


def test_orders_taken_while_kafka_is_down_reach_the_read_models_when_it_returns(
    tmp_path: Path,
) -> None:
    port = free_port()
    with a_fresh_database() as database_url, a_redis_server(tmp_path) as redis_server:
        settings = settings_for(
            database_url,
            redis_server.url,
            kafka_bootstrap=f"127.0.0.1:{port}",
            kafka_partitions=PARTITIONS,
            kafka_idempotent=False,
            kafka_group=f"bazaar-test-{uuid.uuid4().hex[:8]}",
        )
        migrate(settings)
        container = build(settings)
        streams = BazaarProcesses(settings, tmp_path)
        try:
            app = create_app(container.api_services(settings.jwt_secret or ""))
            with serving(app) as url, httpx.Client(base_url=url, timeout=30) as client:
                streams.start("relay")
                poll_until(lambda: connected(database_url, "relay"), timeout=30)
                shop = a_stocked_shop(client)
                stack = KafkaStack(container, client, streams, shop, redis_server)
                stack.place_orders(20)
                assert stack.relayed() == 0

                with tansu_broker(port=port, log_file=tmp_path / "tansu.log"):
                    streams.start("worker")
                    stack.caught_up()
                    assert stack.relayed() == stack.head()
                    assert_same_as_in_process(stack)
                    streams.stop_all()
        finally:
            streams.stop_all()
            container.close()
