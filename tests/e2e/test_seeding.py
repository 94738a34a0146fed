"""`bazaar seed`: a generated data set made through the commands, once, however often it runs."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from bazaar.cli import main
from tests.stacks import TEST_REDIS_URL, a_built_stack, a_fresh_database
from write_model.catalogue import Product, Store
from write_model.inventory import StockItem
from write_model.orders import Order

pytestmark = pytest.mark.e2e


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, migrated database that `bazaar` commands run in this process use."""
    with a_fresh_database() as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("REDIS_URL", TEST_REDIS_URL)
        monkeypatch.setenv("JWT_SECRET", "s" * 40)
        monkeypatch.setenv("PASSWORD_HASH_MEMORY_KIB", "8192")
        monkeypatch.setenv("PASSWORD_HASH_TIME_COST", "1")
        main(["migrate"])
        yield url


def seeded(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """Run `bazaar seed ARGS` and return what it printed."""
    main(["seed", *args])
    return capsys.readouterr().out


def shop_events(database_url: str) -> list[Any]:
    with a_built_stack(database_url, TEST_REDIS_URL) as stack:
        notifications = stack.shop.recorder.select_notifications(start=1, limit=1_000_000)
        return [stack.shop.mapper.to_domain_event(n) for n in notifications]


def heads(database_url: str) -> tuple[int, int]:
    """The heads of the shop's and the accounts' logs."""
    with a_built_stack(database_url, TEST_REDIS_URL) as stack:
        return stack.shop.position(), stack.accounts.recorder.max_notification_id() or 0


def of_kind(events: list[Any], kind: type) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]


class TestSeed:
    def test_spreads_the_products_evenly_over_the_stores(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        seeded(capsys, "--products", "61", "--stores", "3")

        events = shop_events(database)
        assert len(of_kind(events, Store.Registered)) == 3
        per_store = Counter(e.store_id for e in of_kind(events, Product.Listed))
        assert sorted(per_store.values()) == [20, 20, 21]

    def test_each_store_stocks_every_product_it_lists(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        seeded(capsys, "--products", "60", "--stores", "3")

        events = shop_events(database)
        listed = {(e.store_id, e.originator_id) for e in of_kind(events, Product.Listed)}
        stocked = {(e.store_id, e.product_id) for e in of_kind(events, StockItem.Opened)}
        received = of_kind(events, StockItem.Received)
        assert stocked == listed
        assert len(received) == 60
        assert all(e.quantity > 0 for e in received)

    def test_lists_products_in_at_least_ten_categories(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        seeded(capsys, "--products", "60", "--stores", "3")

        categories = {e.category for e in of_kind(shop_events(database), Product.Listed)}
        assert len(categories) >= 10

    def test_places_a_few_confirmed_orders(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        seeded(capsys, "--products", "60", "--stores", "3")

        events = shop_events(database)
        assert len(of_kind(events, Order.Confirmed)) == len(of_kind(events, Order.Placed)) > 0

    def test_prints_a_summary_with_the_logins(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        printed = seeded(capsys, "--products", "60", "--stores", "3")

        assert re.search(r"seeded 3 stores, 60 products and \d+ orders", printed), printed
        assert re.search(r"[\d,]+ commands/s", printed), printed
        for login in ("admin@", "customer@", "artisan@"):
            assert login in printed

    def test_its_options_can_come_from_the_environment(
        self, database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("BAZAAR_SEED_PRODUCTS", "40")
        monkeypatch.setenv("BAZAAR_SEED_STORES", "2")

        printed = seeded(capsys)

        assert re.search(r"seeded 2 stores, 40 products and \d+ orders", printed), printed

    def test_a_second_run_says_it_adds_no_events(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        seeded(capsys, "--products", "60", "--stores", "3")
        before = heads(database)

        printed = seeded(capsys, "--products", "60", "--stores", "3")

        assert heads(database) == before
        assert "nothing missing of 3 stores and 60 products" in printed
        assert "customer@" in printed

    def test_a_larger_run_adds_only_what_is_missing(
        self, database: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        seeded(capsys, "--products", "30", "--stores", "3")

        printed = seeded(capsys, "--products", "60", "--stores", "4")

        events = shop_events(database)
        per_store = Counter(e.store_id for e in of_kind(events, Product.Listed))
        assert "seeded 1 stores, 30 products and" in printed
        assert sorted(per_store.values()) == [15, 15, 15, 15]
        assert len(of_kind(events, StockItem.Received)) == 60

    def test_refuses_zero_stores(self, database: str) -> None:
        with pytest.raises(SystemExit) as refused:
            main(["seed", "--stores", "0"])

        assert refused.value.code == 2
