"""Operations over HTTP: health, readiness, docs, error envelopes and the position headers."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from bazaar.wiring import Container
from read_model.sql import saga_jobs
from tests.http_driver import (
    a_product,
    a_store,
    assert_error,
    metric,
    open_store,
    place,
    position_in,
    receive,
    register,
)
from tests.waiting import poll_until

pytestmark = pytest.mark.integration


class TestProbes:
    def test_health_says_ok(self, client: httpx.Client) -> None:
        response = client.get("/api/health")

        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    def test_anyone_reads_the_marketplace_s_currency(self, client: httpx.Client) -> None:
        response = client.get("/api/settings")

        assert response.status_code == 200
        assert response.json() == {"currency": "EUR"}

    def test_ready_answers_200_when_its_backends_answer(self, client: httpx.Client) -> None:
        response = client.get("/api/ready")

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ready"


class TestDocs:
    @pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
    def test_is_served(self, client: httpx.Client, path: str) -> None:
        response = client.get(path)

        assert response.status_code == 200

    def test_the_schema_lists_the_order_endpoints(self, client: httpx.Client) -> None:
        response = client.get("/openapi.json")

        assert {"/api/orders", "/api/orders/{order_id}"} <= set(response.json()["paths"])


class TestErrorEnvelope:
    def test_an_unknown_path_is_a_404_envelope(self, client: httpx.Client) -> None:
        response = client.get("/api/no-such-thing")

        assert_error(response, 404, "not_found")

    def test_a_wrong_method_is_a_405_envelope(self, client: httpx.Client) -> None:
        response = client.delete("/api/health")

        assert_error(response, 405, "method_not_allowed")

    def test_the_trace_id_is_the_request_id_sent(self, client: httpx.Client) -> None:
        response = client.get("/api/no-such-thing", headers={"X-Request-ID": "trace-42"})

        assert assert_error(response, 404)["trace_id"] == "trace-42"


class TestHeaders:
    @pytest.mark.parametrize(
        ("method", "path"),
        [("GET", "/api/health"), ("GET", "/api/products"), ("GET", "/nowhere")],
    )
    def test_every_response_carries_a_request_id(
        self, client: httpx.Client, method: str, path: str
    ) -> None:
        response = client.request(method, path)

        assert response.headers["X-Request-ID"]

    def test_a_sent_request_id_is_echoed(self, client: httpx.Client) -> None:
        response = client.get("/api/health", headers={"X-Request-ID": "abc-123"})

        assert response.headers["X-Request-ID"] == "abc-123"

    def test_a_command_response_carries_its_event_position(self, client: httpx.Client) -> None:
        owner = register(client, "artisan")

        response = open_store(client, owner)

        assert position_in(response) > 0
        assert response.headers["X-Request-ID"]


class TestReadYourWrites:
    def test_refuses_a_negative_min_position(self, client: httpx.Client) -> None:
        response = client.get("/api/products", headers={"X-Min-Position": "-1"})

        assert_error(response, 400, "validation_error")


class TestRequestLog:
    def test_each_request_is_logged_with_its_request_id(
        self, client: httpx.Client, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO, logger="bazaar.access")

        client.get("/api/health", headers={"X-Request-ID": "trace-log-123"})

        logged = poll_until(
            lambda: [r for r in caplog.records if getattr(r, "trace_id", "") == "trace-log-123"]
        )
        assert logged[0].getMessage().startswith("GET /api/health 200")


class TestMetrics:
    def test_commands_are_counted_per_operation_outcome(self, client: httpx.Client) -> None:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)["id"]
        mug = a_product(client, owner, store)["id"]
        receive(client, owner, store, mug, 1)
        counted = {
            outcome: metric(client, "bazaar_commands_total", command="place_order", outcome=outcome)
            for outcome in ("done", "refused")
        }

        place(client, customer, store, {mug: 1})
        assert_error(place(client, customer, store, {mug: 1}), 400, "insufficient_stock")
        client.get(f"/api/products/{mug}")

        for outcome in ("done", "refused"):
            now = metric(client, "bazaar_commands_total", command="place_order", outcome=outcome)
            assert now == counted[outcome] + 1, outcome
        assert metric(client, "bazaar_commands_total", command="get_product", outcome="done") == 0

    def test_metrics_count_requests_by_route_template(self, client: httpx.Client) -> None:
        client.get("/api/health")

        metrics = client.get("/metrics")

        assert metrics.status_code == 200
        assert 'route="/api/health",status="200"' in metrics.text

    def test_metrics_show_how_far_behind_the_work_is(
        self, client: httpx.Client, container: Container
    ) -> None:
        owner, customer = register(client, "artisan"), register(client)
        store = a_store(client, owner)["id"]
        mug = a_product(client, owner, store)["id"]
        receive(client, owner, store, mug, 3)
        order = place(client, customer, store, {mug: 1}).json()["id"]
        poll_until(
            lambda: any(
                j.key == order and j.status == "done"
                for j in saga_jobs.jobs_of(container.pool, "confirmation_email")
            )
        )

        text = client.get("/metrics").text

        lags = dict(
            re.findall(r'^bazaar_view_lag_events\{log="shop",view="(\w+)"\} (\S+)$', text, re.M)
        )
        assert {"orders", "catalogue", "inventory_cache", "reservations"} <= set(lags)
        assert all(float(lag) >= 0 for lag in lags.values())
        done = re.search(
            r'^bazaar_saga_jobs\{saga="confirmation_email",state="done"\} (\S+)$', text, re.M
        )
        assert done and float(done[1]) >= 1
