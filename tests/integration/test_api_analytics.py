"""Sales analytics over HTTP: figures of a known month of trading, who may see them, bad input.

The scenario, all on one UTC day (the day the orders were placed):
  Mug 10.00 (ceramics), 10 received; Scarf 25.00 (textiles), 4 received; threshold 3.
  1. Mug x3 + Scarf x1 = 55.00, shipped and delivered.
  2. Mug x2 = 20.00, cancelled by the customer.
  3. Scarf x2 = 50.00, confirmed.
  4. Scarf x5 + Mug x1, rejected: only 1 scarf left -> 5 scarves asked, 4 short: 100.00.
Hence revenue 105.00 from 2 orders and 6 units; ceramics 30.00, textiles 75.00; 1 completed,
1 cancelled (20.00); 1 product low on stock (Scarf: 1 available).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from bazaar.wiring import Container
from projections.analytics import AnalyticsProjection
from tests.http_driver import (
    Session,
    a_product,
    a_store,
    after,
    an_admin,
    assert_error,
    place,
    receive,
    register,
    set_status,
)

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Trading:
    """A store after the module docstring's day of trading, and what a read must wait for."""

    owner: Session
    store_id: str
    mug: str
    scarf: str
    day: date
    since: dict[str, str]

    @property
    def month(self) -> str:
        return f"month={self.day.month}&year={self.day.year}"


def moved(client: httpx.Client, who: Session, order_id: str, *statuses: str) -> httpx.Response:
    for status in statuses:
        response = set_status(client, who, order_id, status)
        assert response.status_code == 200, response.text
    return response


@pytest.fixture(scope="module")
def trading(server: str) -> Trading:
    with httpx.Client(base_url=server, timeout=30) as client:
        owner = register(client, "artisan")
        store_id = a_store(client, owner)["id"]
        mug = a_product(client, owner, store_id, "10.00", title="Mug", category="ceramics")["id"]
        scarf = a_product(client, owner, store_id, "25.00", title="Scarf", category="textiles")
        receive(client, owner, store_id, mug, 10)
        receive(client, owner, store_id, scarf["id"], 4)
        customer = register(client)
        first = place(client, customer, store_id, {mug: 3, scarf["id"]: 1}).json()
        moved(client, owner, first["id"], "processing", "shipped", "delivered")
        second = place(client, customer, store_id, {mug: 2}).json()
        moved(client, customer, second["id"], "cancelled")
        assert place(client, customer, store_id, {scarf["id"]: 2}).status_code == 201
        rejected = place(client, customer, store_id, {scarf["id"]: 5, mug: 1})
        assert rejected.status_code == 400, rejected.text
        day = date.fromisoformat(first["created_at"][:10])
        return Trading(owner, store_id, mug, scarf["id"], day, after(rejected))


def get(client: httpx.Client, who: Session, path: str, trading: Trading) -> Any:
    response = client.get(path, headers={**who.auth, **trading.since})
    assert response.status_code == 200, response.text
    return response.json()


def dashboard_of(client: httpx.Client, trading: Trading, who: Session | None = None) -> Any:
    path = f"/api/stores/{trading.store_id}/dashboard?{trading.month}"
    return get(client, who or trading.owner, path, trading)


class TestDashboard:
    def test_shows_the_month_s_sales_broken_down(
        self, client: httpx.Client, trading: Trading
    ) -> None:
        body = dashboard_of(client, trading)

        monthly = body["monthly_analytics"]
        assert monthly["total_revenue"] == "105.00"
        assert (monthly["orders"], monthly["units"]) == (2, 6)
        assert monthly["category_revenue"] == [
            {"category": "textiles", "revenue": "75.00"},
            {"category": "ceramics", "revenue": "30.00"},
        ]
        assert monthly["top_products"] == [
            sold(trading.scarf, "Scarf", 3, "75.00"),
            sold(trading.mug, "Mug", 3, "30.00"),
        ]

    def test_counts_each_kind_of_order_with_the_low_stock(
        self, client: httpx.Client, trading: Trading
    ) -> None:
        body = dashboard_of(client, trading)

        assert body["completed_orders"] == 1
        monthly = body["monthly_analytics"]
        assert (monthly["cancelled_orders"], monthly["cancelled_value"]) == (1, "20.00")
        assert body["low_stock_products"] == 1
        assert isinstance(body["active_alerts"], list)

    def test_counts_the_rejected_orders_short_line_as_lost_demand(
        self, client: httpx.Client, trading: Trading
    ) -> None:
        lost = dashboard_of(client, trading)["lost_demand"]

        assert (lost["units"], lost["shortfall"], lost["value"]) == (5, 4, "100.00")
        assert lost["by_product"] == [
            {
                "product_id": trading.scarf,
                "title": "Scarf",
                "orders": 1,
                "units": 5,
                "shortfall": 4,
                "value": "100.00",
            }
        ]

    def test_shows_an_empty_month_as_zeros(self, client: httpx.Client, trading: Trading) -> None:
        path = f"/api/stores/{trading.store_id}/dashboard?month=1&year=2001"

        body = get(client, trading.owner, path, trading)

        assert body["monthly_analytics"]["total_revenue"] == "0.00"
        assert body["monthly_analytics"]["top_products"] == []
        assert body["completed_orders"] == 0
        assert body["lost_demand"] == {
            "units": 0,
            "shortfall": 0,
            "value": "0.00",
            "by_product": [],
        }


class TestSales:
    def test_gives_every_day_of_the_range_with_the_trading_day_filled_in(
        self, client: httpx.Client, trading: Trading
    ) -> None:
        start = trading.day - timedelta(days=2)
        path = f"/api/analytics/sales?store_id={trading.store_id}&from={start}&to={trading.day}"

        periods = get(client, trading.owner, path, trading)

        assert [p["period"] for p in periods] == [str(start + timedelta(n)) for n in range(3)]
        assert [p["revenue"] for p in periods] == ["0.00", "0.00", "105.00"]
        assert periods[-1] == {
            "period": str(trading.day),
            "revenue": "105.00",
            "orders": 2,
            "units": 6,
            "cancelled_orders": 1,
            "cancelled_value": "20.00",
            "completed_orders": 1,
            "refunded": "0.00",
        }

    def test_sums_a_month_into_one_period(self, client: httpx.Client, trading: Trading) -> None:
        first = trading.day.replace(day=1)
        path = (
            f"/api/analytics/sales?store_id={trading.store_id}&granularity=month"
            f"&from={first}&to={trading.day}"
        )

        periods = get(client, trading.owner, path, trading)

        assert [(p["period"], p["revenue"], p["orders"]) for p in periods] == [
            (str(first), "105.00", 2)
        ]

    def test_starts_weeks_on_monday(self, client: httpx.Client, trading: Trading) -> None:
        path = (
            f"/api/analytics/sales?store_id={trading.store_id}&granularity=week"
            f"&from={trading.day}&to={trading.day}"
        )

        periods = get(client, trading.owner, path, trading)

        monday = trading.day - timedelta(days=trading.day.weekday())
        assert [(p["period"], p["units"]) for p in periods] == [(str(monday), 6)]


class TestTopProductsAndLostDemand:
    def test_ranks_products_by_revenue_up_to_the_limit(
        self, client: httpx.Client, trading: Trading
    ) -> None:
        path = f"/api/analytics/top-products?store_id={trading.store_id}&limit=1"

        top = get(client, trading.owner, path, trading)

        assert top == [sold(trading.scarf, "Scarf", 3, "75.00")]

    def test_lists_lost_demand_per_product(self, client: httpx.Client, trading: Trading) -> None:
        path = f"/api/analytics/lost-demand?store_id={trading.store_id}"

        lost = get(client, trading.owner, path, trading)

        assert (lost["units"], lost["value"]) == (5, "100.00")
        assert [p["product_id"] for p in lost["by_product"]] == [trading.scarf]

    def test_gives_stock_turnover_from_shipped_units(
        self, client: httpx.Client, trading: Trading
    ) -> None:
        path = f"/api/analytics/stock-turnover?store_id={trading.store_id}"

        rows = {row["product_id"]: row for row in get(client, trading.owner, path, trading)}

        assert (rows[trading.mug]["shipped"], rows[trading.mug]["on_hand"]) == (3, 7)
        assert (rows[trading.scarf]["shipped"], rows[trading.scarf]["on_hand"]) == (1, 3)
        assert rows[trading.mug]["turnover"] > 0


class TestRebuild:
    def test_a_rebuild_gives_the_same_figures(
        self, client: httpx.Client, trading: Trading, container: Container
    ) -> None:
        before = dashboard_of(client, trading)

        container.rebuilder().rebuild([AnalyticsProjection])

        assert dashboard_of(client, trading) == before
        assert container.rebuilder().verify([AnalyticsProjection]) == {}


class TestAccess:
    PATHS = (
        "/api/stores/{store}/dashboard",
        "/api/analytics/sales?store_id={store}",
        "/api/analytics/top-products?store_id={store}",
        "/api/analytics/lost-demand?store_id={store}",
        "/api/analytics/stock-turnover?store_id={store}",
    )

    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("role", ["customer", "artisan"])
    def test_refuses_anyone_but_the_owner_or_an_admin(
        self, client: httpx.Client, trading: Trading, path: str, role: str
    ) -> None:
        stranger = register(client, role)

        response = client.get(path.format(store=trading.store_id), headers=stranger.auth)

        assert_error(response, 403, "forbidden")

    @pytest.mark.parametrize("path", PATHS)
    def test_asks_for_a_sign_in(self, client: httpx.Client, trading: Trading, path: str) -> None:
        response = client.get(path.format(store=trading.store_id))

        assert_error(response, 401)

    @pytest.mark.parametrize("path", PATHS)
    def test_answers_404_for_an_unknown_store(
        self, client: httpx.Client, trading: Trading, path: str
    ) -> None:
        response = client.get(path.format(store=trading.mug), headers=trading.owner.auth)

        assert_error(response, 404, "store_not_found")

    def test_shows_an_admin_the_same_figures_as_the_owner(
        self, client: httpx.Client, trading: Trading, container: Container
    ) -> None:
        admin = an_admin(client, container.accounts)

        assert dashboard_of(client, trading, admin) == dashboard_of(client, trading)

    def test_shows_an_admin_every_store_together(
        self, client: httpx.Client, trading: Trading, container: Container
    ) -> None:
        admin = an_admin(client, container.accounts)
        path = f"/api/analytics/top-products?from={trading.day}&to={trading.day}&limit=100"

        top = get(client, admin, path, trading)

        assert {trading.mug, trading.scarf} <= {p["product_id"] for p in top}

    @pytest.mark.parametrize(
        "path",
        ["/api/analytics/sales", "/api/analytics/top-products", "/api/analytics/lost-demand"],
    )
    def test_asks_an_owner_which_store(
        self, client: httpx.Client, trading: Trading, path: str
    ) -> None:
        response = client.get(path, headers=trading.owner.auth)

        assert_error(response, 400, "validation_error")


class TestValidation:
    @pytest.mark.parametrize(
        "query",
        [
            "store_id={store}&from=2024-13-01",
            "store_id={store}&to=yesterday",
            "store_id={store}&to=0001-01-01",
            "store_id={store}&from=2024-02-02&to=2024-02-01",
            "store_id={store}&from=1990-01-01&to=2024-01-01",
            "store_id={store}&granularity=year",
            "store_id=not-a-uuid",
        ],
    )
    def test_refuses_bad_sales_parameters(
        self, client: httpx.Client, trading: Trading, query: str
    ) -> None:
        path = "/api/analytics/sales?" + query.format(store=trading.store_id)

        response = client.get(path, headers=trading.owner.auth)

        assert_error(response, 400, "validation_error")

    @pytest.mark.parametrize("limit", ["0", "101", "ten"])
    def test_refuses_a_limit_out_of_range(
        self, client: httpx.Client, trading: Trading, limit: str
    ) -> None:
        path = f"/api/analytics/top-products?store_id={trading.store_id}&limit={limit}"

        response = client.get(path, headers=trading.owner.auth)

        assert_error(response, 400, "validation_error")

    @pytest.mark.parametrize("query", ["month=0", "month=13", "month=may", "month=12&year=9999"])
    def test_refuses_a_month_that_does_not_exist(
        self, client: httpx.Client, trading: Trading, query: str
    ) -> None:
        path = f"/api/stores/{trading.store_id}/dashboard?{query}"

        response = client.get(path, headers=trading.owner.auth)

        assert_error(response, 400, "validation_error")


def sold(product_id: str, title: str, units: int, revenue: str) -> dict[str, object]:
    """A top product's line, none of it returned."""
    return {
        "product_id": product_id,
        "title": title,
        "units": units,
        "revenue": revenue,
        "returned_units": 0,
        "return_rate": 0.0,
    }
